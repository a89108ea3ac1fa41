package statestore

import (
	"os"
	"path/filepath"
	"testing"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func TestStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Get("u1"); ok || err != nil {
		t.Fatalf("Get of a missing record = %v, %v", ok, err)
	}
	r := Record{UID: "u1", Namespace: "ns", Name: "vm", LauncherSeen: true}
	r.SetDomain(&launcherv1.Domain{State: "Running", QemuPid: 42})
	if err := s.Put(r); err != nil {
		t.Fatal(err)
	}
	// A restarted handler reads the same record.
	s2, _ := New(dir)
	got, ok, err := s2.Get("u1")
	if !ok || err != nil || got.GetDomain().GetQemuPid() != 42 || !got.LauncherSeen {
		t.Fatalf("Get = %+v, %v, %v", got, ok, err)
	}
	list, err := s2.List()
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "u1.json" {
		t.Fatalf("dir holds %v, want only u1.json (no temp files)", entries)
	}
	if err := s2.Delete("u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "u1.json")); !os.IsNotExist(err) {
		t.Fatalf("record still on disk: %v", err)
	}
	if err := s2.Delete("u1"); err != nil {
		t.Fatalf("second Delete = %v", err)
	}
}

func TestStoreRejectsPathsInUIDs(t *testing.T) {
	s, _ := New(t.TempDir())
	if err := s.Put(Record{UID: "../etc"}); err == nil {
		t.Fatal("Put accepted a uid with a path")
	}
}
