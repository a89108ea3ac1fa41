package hostpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Snapshot is the metadata of one snapshot in
// <state-dir>/snapshots/<id>.json; its data is a copy of the source volume's.
type Snapshot struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	SourceVolumeID string     `json:"sourceVolumeID"`
	SizeBytes      int64      `json:"sizeBytes"`
	AccessType     AccessType `json:"accessType"`
	CreatedUnix    int64      `json:"createdUnix"`
}

func (s *dirStore) snapDir() string { return filepath.Join(s.dir, "snapshots") }

func (s *dirStore) snapMeta(id string) string { return filepath.Join(s.snapDir(), id+".json") }

// SnapshotDataPath is the directory or file holding the snapshot's copy.
func (s *dirStore) SnapshotDataPath(sn *Snapshot) string {
	if sn.AccessType == AccessBlock {
		return filepath.Join(s.snapDir(), sn.ID+".img")
	}
	return filepath.Join(s.snapDir(), sn.ID)
}

// GetSnapshot returns the snapshot with id, or nil when there is none.
func (s *dirStore) GetSnapshot(id string) (*Snapshot, error) {
	if !validID(id) {
		return nil, nil
	}
	b, err := os.ReadFile(s.snapMeta(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", id, err)
	}
	sn := &Snapshot{}
	if err := json.Unmarshal(b, sn); err != nil {
		return nil, fmt.Errorf("decode snapshot %s: %w", id, err)
	}
	return sn, nil
}

// CreateSnapshot copies the source volume's data, then writes the metadata,
// so a snapshot with metadata is always complete.
func (s *dirStore) CreateSnapshot(sn Snapshot, source *Volume) error {
	if err := os.MkdirAll(s.snapDir(), 0o750); err != nil {
		return fmt.Errorf("create snapshots dir: %w", err)
	}
	data := s.SnapshotDataPath(&sn)
	if err := os.RemoveAll(data); err != nil { // left by an interrupted attempt
		return fmt.Errorf("clean %s: %w", data, err)
	}
	if sn.AccessType != AccessBlock {
		if err := os.Mkdir(data, 0o770); err != nil {
			return fmt.Errorf("create %s: %w", data, err)
		}
	}
	if err := copyData(s.DataPath(source), data, sn.AccessType); err != nil {
		return fmt.Errorf("copy volume %s: %w", source.ID, err)
	}
	b, err := json.Marshal(sn)
	if err != nil {
		return fmt.Errorf("encode snapshot %s: %w", sn.ID, err)
	}
	tmp := s.snapMeta(sn.ID) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o640); err != nil {
		return fmt.Errorf("write snapshot %s: %w", sn.ID, err)
	}
	return os.Rename(tmp, s.snapMeta(sn.ID))
}

// DeleteSnapshot removes metadata first and then both possible data paths;
// a missing snapshot is not an error.
func (s *dirStore) DeleteSnapshot(id string) error {
	if !validID(id) {
		return nil
	}
	if err := os.Remove(s.snapMeta(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove snapshot %s: %w", id, err)
	}
	for _, at := range []AccessType{AccessFilesystem, AccessBlock} {
		if err := os.RemoveAll(s.SnapshotDataPath(&Snapshot{ID: id, AccessType: at})); err != nil {
			return fmt.Errorf("remove data of snapshot %s: %w", id, err)
		}
	}
	return nil
}

// ListSnapshots returns every snapshot, ordered by id.
func (s *dirStore) ListSnapshots() ([]Snapshot, error) {
	entries, err := os.ReadDir(s.snapDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	var out []Snapshot
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		sn, err := s.GetSnapshot(id)
		if err != nil {
			return nil, err
		}
		if sn != nil {
			out = append(out, *sn)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
