# The lab's payments front in Ruby (puma + Rack): /api/payments calls a payment gateway that is
# down, so Net::HTTP raises Errno::ECONNREFUSED; logged Rails-style to log/production.log.
require 'json'
require 'logger'
require 'net/http'

Dir.mkdir('log') unless Dir.exist?('log')
LOG = Logger.new(File.join(Dir.pwd, 'log', 'production.log'))
GATEWAY = URI("http://#{ENV.fetch('GATEWAY_ADDR')}/charge")

app = lambda do |env|
  path = env['PATH_INFO']
  case path
  when '/api/payments'
    begin
      Net::HTTP.start(GATEWAY.host, GATEWAY.port, open_timeout: 2, read_timeout: 2) { |h| h.get(GATEWAY.path) }
      [200, { 'content-type' => 'application/json' }, ['{"paid":true}']]
    rescue StandardError => e
      LOG.error("#{e.class} (#{e.message}):\n  app/payments.rb:14:in `charge'")
      [500, { 'content-type' => 'application/json' }, ['{"error":"internal server error"}']]
    end
  when '/api/products/9999'
    [404, { 'content-type' => 'application/json' }, ['{"error":"not found"}']]
  else
    LOG.info("Completed 200 OK #{env['REQUEST_METHOD']} #{path}")
    [200, { 'content-type' => 'application/json' }, ['{"ok":true}']]
  end
end
run app
