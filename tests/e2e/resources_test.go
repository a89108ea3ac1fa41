package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// writeCounts is apiserver_request_total of the write verbs by "VERB resource[/subresource]".
type writeCounts map[string]float64

var writeVerbs = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "DELETE": true, "APPLY": true}

func apiWrites(t *testing.T) writeCounts {
	t.Helper()
	raw, err := e.kube.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx(t))
	if err != nil {
		t.Fatalf("apiserver metrics: %v", err)
	}
	counts := writeCounts{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "apiserver_request_total{") {
			continue
		}
		end := strings.LastIndex(line, "}")
		labels := parseLabels(line[len("apiserver_request_total{"):end])
		if !writeVerbs[labels["verb"]] {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(line[end+1:]), 64)
		if err != nil {
			continue
		}
		key := labels["verb"] + " " + labels["resource"]
		if labels["subresource"] != "" {
			key += "/" + labels["subresource"]
		}
		counts[key] += v
	}
	return counts
}

func parseLabels(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if ok {
			out[k] = strings.Trim(v, `"`)
		}
	}
	return out
}

func (c writeCounts) minus(before writeCounts) writeCounts {
	out := writeCounts{}
	for k, v := range c {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

func (c writeCounts) perVMI(n int) string {
	keys := make([]string, 0, len(c))
	total := 0.0
	for k, v := range c {
		keys = append(keys, k)
		total += v
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("| API writes per VMI (all clients) | count |\n|---|---|\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %.2f |\n", k, c[k]/float64(n))
	}
	fmt.Fprintf(&b, "| **total** | **%.2f** |\n", total/float64(n))
	return b.String()
}

type proc struct {
	pid    int
	comm   string
	cgroup string
	rssKiB int
}

func processes() []proc {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []proc
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		comm, err1 := os.ReadFile(d + "/comm")
		cg, err2 := os.ReadFile(d + "/cgroup")
		status, err3 := os.ReadFile(d + "/status")
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, proc{pid: pid, comm: strings.TrimSpace(string(comm)), cgroup: string(cg), rssKiB: vmRSS(string(status))})
	}
	return out
}

func vmRSS(status string) int {
	for _, line := range strings.Split(status, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// rssReport lists the RSS of every kvirt component process and, per launcher
// pod, the sum over its processes except QEMU (whose RSS is mostly guest memory).
func rssReport(t *testing.T) string {
	t.Helper()
	procs := processes()
	var b strings.Builder
	b.WriteString("| process | RSS (MiB) |\n|---|---|\n")
	for _, p := range procs {
		switch p.comm {
		case "virt-operator", "virt-api", "virt-controller", "virt-handler":
			fmt.Fprintf(&b, "| %s (pid %d) | %.1f |\n", p.comm, p.pid, float64(p.rssKiB)/1024)
		}
	}
	var launcher, qemu []float64
	for _, l := range procs {
		if l.comm != "virt-launcher" {
			continue
		}
		sum, q := 0, 0
		for _, p := range procs {
			if p.cgroup != l.cgroup {
				continue
			}
			if strings.HasPrefix(p.comm, "qemu") {
				q += p.rssKiB
			} else {
				sum += p.rssKiB
			}
		}
		launcher = append(launcher, float64(sum)/1024)
		qemu = append(qemu, float64(q)/1024)
	}
	fmt.Fprintf(&b, "| launcher pod without QEMU (mean of %d) | %.1f |\n", len(launcher), mean(launcher))
	fmt.Fprintf(&b, "| QEMU incl. guest memory (mean of %d) | %.1f |\n", len(qemu), mean(qemu))
	return b.String()
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
