package hostpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AccessType is how a volume is presented: a directory or a raw block file.
type AccessType string

const (
	// AccessFilesystem volumes are directories bind-mounted into pods.
	AccessFilesystem AccessType = "filesystem"
	// AccessBlock volumes are sparse files, attached as loop devices.
	AccessBlock AccessType = "block"
)

// Volume is the metadata recorded for one volume in <state-dir>/<id>.json.
type Volume struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	CapacityBytes int64      `json:"capacityBytes"`
	AccessType    AccessType `json:"accessType"`
	NodeID        string     `json:"nodeID"`
}

// volumeStore is the narrow filesystem side of the driver; the decisions in
// controller_plan.go never touch it.
type volumeStore interface {
	// Get returns the volume with id, or nil when there is none.
	Get(id string) (*Volume, error)
	// Create creates the volume's data, fills it from the directory or file
	// from unless that is empty, and then writes its metadata.
	Create(v Volume, from string) error
	// Delete removes metadata and data; a missing volume is not an error.
	Delete(id string) error
	// Resize records newBytes and grows a block volume's file.
	Resize(id string, newBytes int64) error
	// DataPath is the directory or file holding the volume's data.
	DataPath(v *Volume) string
	// GetSnapshot returns the snapshot with id, or nil when there is none.
	GetSnapshot(id string) (*Snapshot, error)
	// CreateSnapshot copies source's data and records sn.
	CreateSnapshot(sn Snapshot, source *Volume) error
	// DeleteSnapshot removes a snapshot; a missing one is not an error.
	DeleteSnapshot(id string) error
	// ListSnapshots returns every snapshot, ordered by id.
	ListSnapshots() ([]Snapshot, error)
	// SnapshotDataPath is the directory or file holding the snapshot's copy.
	SnapshotDataPath(sn *Snapshot) string
}

type dirStore struct{ dir string }

func newDirStore(dir string) (*dirStore, error) {
	if dir == "" || !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("%q is not an absolute path", dir)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	return &dirStore{dir: dir}, nil
}

func validID(id string) bool {
	return id != "" && !strings.ContainsAny(id, `/\`) && id != "." && id != ".."
}

func (s *dirStore) metaPath(id string) string { return filepath.Join(s.dir, id+".json") }

func (s *dirStore) DataPath(v *Volume) string {
	if v.AccessType == AccessBlock {
		return filepath.Join(s.dir, v.ID+".img")
	}
	return filepath.Join(s.dir, v.ID)
}

func (s *dirStore) Get(id string) (*Volume, error) {
	if !validID(id) {
		return nil, nil
	}
	b, err := os.ReadFile(s.metaPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read metadata of %s: %w", id, err)
	}
	v := &Volume{}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("decode metadata of %s: %w", id, err)
	}
	return v, nil
}

func (s *dirStore) Create(v Volume, from string) error {
	if !validID(v.ID) {
		return fmt.Errorf("invalid volume id %q", v.ID)
	}
	data := s.DataPath(&v)
	switch v.AccessType {
	case AccessBlock:
		if err := sparseFile(data, v.CapacityBytes); err != nil {
			return err
		}
	default:
		if err := os.MkdirAll(data, 0o770); err != nil {
			return fmt.Errorf("create %s: %w", data, err)
		}
	}
	if from != "" {
		if err := copyData(from, data, v.AccessType); err != nil {
			return fmt.Errorf("fill %s: %w", v.ID, err)
		}
	}
	return s.writeMeta(v)
}

// writeMeta replaces the metadata file atomically so a crash never leaves a
// half-written one.
func (s *dirStore) writeMeta(v Volume) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode metadata of %s: %w", v.ID, err)
	}
	tmp := s.metaPath(v.ID) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o640); err != nil {
		return fmt.Errorf("write metadata of %s: %w", v.ID, err)
	}
	if err := os.Rename(tmp, s.metaPath(v.ID)); err != nil {
		return fmt.Errorf("commit metadata of %s: %w", v.ID, err)
	}
	return nil
}

func sparseFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o660)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	return growFile(f, size)
}

// growFile extends f to size; it never shrinks it.
func growFile(f *os.File, size int64) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	if st.Size() >= size {
		return nil
	}
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("size %s to %d bytes: %w", f.Name(), size, err)
	}
	return nil
}

// Delete removes both possible data paths before the metadata, so a volume
// whose creation stopped before its metadata was written leaves nothing behind.
func (s *dirStore) Delete(id string) error {
	if !validID(id) {
		return nil
	}
	for _, at := range []AccessType{AccessFilesystem, AccessBlock} {
		if err := os.RemoveAll(s.DataPath(&Volume{ID: id, AccessType: at})); err != nil {
			return fmt.Errorf("remove data of %s: %w", id, err)
		}
	}
	if err := os.Remove(s.metaPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove metadata of %s: %w", id, err)
	}
	return nil
}

func (s *dirStore) Resize(id string, newBytes int64) error {
	v, err := s.Get(id)
	if err != nil {
		return err
	}
	if v == nil {
		return fmt.Errorf("volume %s: %w", id, os.ErrNotExist)
	}
	if v.AccessType == AccessBlock {
		f, err := os.OpenFile(s.DataPath(v), os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("open %s: %w", id, err)
		}
		defer f.Close()
		if err := growFile(f, newBytes); err != nil {
			return err
		}
	}
	v.CapacityBytes = newBytes
	return s.writeMeta(*v)
}
