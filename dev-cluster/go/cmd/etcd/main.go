// Command etcd is the upstream etcd server (etcdmain), built from the published
// go.etcd.io/etcd/server/v3 module for ward's local dev cluster and tests.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
