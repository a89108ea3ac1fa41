package hostpath

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	registerapi "k8s.io/kubelet/pkg/apis/pluginregistration/v1"
)

// TestRunServesAndStops runs the whole binary's wiring on temp-dir sockets and
// checks that ending the context stops it cleanly.
func TestRunServesAndStops(t *testing.T) {
	dir := t.TempDir()
	o := &Options{Endpoint: "unix://" + filepath.Join(dir, "csi.sock"), NodeID: "n1", StateDir: filepath.Join(dir, "state"),
		RegistrationDir: filepath.Join(dir, "registry"), KubeletEndpoint: "/host/csi.sock"}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	conn, err := grpc.NewClient("unix://"+RegistrationSocket(o.RegistrationDir), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	// The sockets appear asynchronously: wait for the first answer (generous deadline, no timing assertion).
	callCtx, callCancel := context.WithTimeout(ctx, time.Minute)
	defer callCancel()
	info, err := registerapi.NewRegistrationClient(conn).GetInfo(callCtx, &registerapi.InfoRequest{}, grpc.WaitForReady(true))
	if err != nil || info.GetEndpoint() != "/host/csi.sock" {
		t.Fatalf("GetInfo = %v, %v", info, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after the context ended")
	}
}
