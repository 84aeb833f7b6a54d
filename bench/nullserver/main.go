// Command nullserver answers every AWS request with an empty success, so
// that a load generator run against it shows what its clients alone cost:
// on a machine shared by clients and server, the ceiling of any
// end-to-end figure.
//
//	nullserver -listen 127.0.0.1:4599 &
//	logsbench -endpoint http://127.0.0.1:4599 ingest -streams 8 -d 15s
//	metricsbench -endpoint http://127.0.0.1:4599 put -clients 4 -d 15s
//
// It reads each request body in full (as a server must) and answers JSON
// protocols with {} and smithy-rpc-v2-cbor with an empty CBOR map.
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"strings"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:4599", "address to listen on")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if strings.Contains(r.URL.Path, "/operation/") {
			w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
			w.Header().Set("Content-Type", "application/cbor")
			w.Write([]byte{0xa0})
			return
		}
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		w.Write([]byte("{}"))
	})))
}
