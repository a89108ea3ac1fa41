package controlplane

import "path/filepath"

const (
	etcdName      = "etcd"
	apiserverName = "kube-apiserver"
)

// layout names every file and directory of one control plane inside its work dir.
type layout struct {
	dir        string
	pki        pkiFiles
	etcdData   string
	logs       string
	kubeconfig string
}

func newLayout(dir string) layout {
	return layout{
		dir:        dir,
		pki:        newPKIFiles(filepath.Join(dir, "pki")),
		etcdData:   filepath.Join(dir, "etcd-data"),
		logs:       filepath.Join(dir, "logs"),
		kubeconfig: filepath.Join(dir, "kubeconfig"),
	}
}

func (l layout) pkiDir() string             { return filepath.Join(l.dir, "pki") }
func (l layout) logFile(name string) string { return filepath.Join(l.logs, name+".log") }
func (l layout) pidFile(name string) string { return filepath.Join(l.dir, name+".pid") }

// Ports are the loopback TCP ports of one control plane; zero picks a free port.
type Ports struct {
	APIServer  int
	EtcdClient int
	EtcdPeer   int
}
