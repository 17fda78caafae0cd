// The lab's inventory service in Go (standard library only): /api/stock asks a Redis that is
// not there, so every stock lookup fails with the net package's own "connection refused".
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	log.SetOutput(os.Stdout) // runit's svlogd captures stdout
	log.SetFlags(log.LstdFlags | log.Lmicroseconds | log.LUTC)
	redis := os.Getenv("REDIS_ADDR")
	ok := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/products/9999" {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}
	http.HandleFunc("/", ok)
	http.HandleFunc("/api/stock", func(w http.ResponseWriter, r *http.Request) {
		conn, err := net.DialTimeout("tcp", redis, 2*time.Second)
		if err != nil {
			log.Printf("ERROR GET /api/stock: stock cache unavailable: %v", err)
			http.Error(w, `{"error":"internal server error"}`, http.StatusInternalServerError)
			return
		}
		conn.Close()
		fmt.Fprint(w, `{"stock":1}`)
	})
	addr := os.Getenv("APP_ADDR") + ":" + os.Getenv("APP_PORT")
	log.Printf("INFO inventory listening on %s (pid %d)", addr, os.Getpid())
	log.Fatal(http.ListenAndServe(addr, nil))
}
