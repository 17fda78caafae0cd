<?php
// The lab's shop in PHP behind php-fpm. /api/report builds a report in memory and runs into the
// pool's memory_limit: PHP's own "Allowed memory size … exhausted" fatal error, a 500 from fpm.
$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
header('Content-Type: application/json');
if ($path === '/api/products/9999') { http_response_code(404); echo '{"error":"not found"}'; exit; }
if ($path === '/api/report') {
    $rows = [];
    for ($i = 0; $i < 1000000; $i++) { $rows[] = str_repeat('x', 1024); }
    echo json_encode(['rows' => count($rows)]);
    exit;
}
echo '{"ok":true}';
