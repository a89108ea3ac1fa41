package statestore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"kvirt.io/kvirt/pkg/network/podplan"
	"kvirt.io/kvirt/pkg/virt-handler/probe"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Record is the durable state of one VMI on this node.
type Record struct {
	UID       string `json:"uid"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// LauncherSeen: the launcher's socket answered at least once.
	LauncherSeen bool `json:"launcherSeen,omitempty"`
	// ShutdownSent: a graceful shutdown was requested from the launcher.
	ShutdownSent bool `json:"shutdownSent,omitempty"`
	// ShutdownGraceSeconds is the grace period of the last shutdown request; a
	// VMI whose grace period is shortened afterwards (a forced stop) gets a new
	// request.
	ShutdownGraceSeconds int64 `json:"shutdownGraceSeconds,omitempty"`
	// Domain is the launcher's last report (protojson).
	Domain json.RawMessage `json:"domain,omitempty"`
	// Readiness and Liveness are the guest agent probes' states.
	Readiness *probe.State `json:"readiness,omitempty"`
	Liveness  *probe.State `json:"liveness,omitempty"`
	// PodNetworks are the bindings planned for the VMI's interfaces (pod
	// network and secondary networks, spec order), stored before they are
	// applied: a restart applies them again (the pod address a bridge binding
	// moved cannot be observed any more).
	PodNetworks []*podplan.Plan `json:"podNetworks,omitempty"`
	// PodNetwork is the single plan of records written before secondary
	// networks; read by Plans, never written.
	PodNetwork *podplan.Plan `json:"podNetwork,omitempty"`
	// Migration is this node's part in the VMI's current migration.
	Migration *Migration `json:"migration,omitempty"`
}

// Migration is what the handler keeps of a migration across its restarts.
type Migration struct {
	UID string `json:"uid"`
	// DomainXML (on the target) is PrepareMigrationTarget's answer, which
	// the source fetches.
	DomainXML string `json:"domainXML,omitempty"`
	// Remaining and ProgressAt (on the source) follow the migration's
	// progress (migration.Track).
	Remaining  uint64    `json:"remaining,omitempty"`
	ProgressAt time.Time `json:"progressAt,omitempty"`
	// AbortReason (on the source) says why this handler aborted it.
	AbortReason string `json:"abortReason,omitempty"`
}

// Plans are the stored pod network plans, also from a record of the
// single-plan format.
func (r *Record) Plans() []*podplan.Plan {
	if len(r.PodNetworks) == 0 && r.PodNetwork != nil {
		return []*podplan.Plan{r.PodNetwork}
	}
	return r.PodNetworks
}

// GetDomain decodes the last domain report, nil if none.
func (r *Record) GetDomain() *launcherv1.Domain {
	if len(r.Domain) == 0 {
		return nil
	}
	d := &launcherv1.Domain{}
	if err := protojson.Unmarshal(r.Domain, d); err != nil {
		return nil
	}
	return d
}

// SetDomain stores a domain report.
func (r *Record) SetDomain(d *launcherv1.Domain) {
	if d == nil {
		r.Domain = nil
		return
	}
	raw, err := protojson.Marshal(d)
	if err == nil {
		r.Domain = raw
	}
}

// Store is a directory of records. Put, Update and Delete are serialised, so
// an Update's read-modify-write never loses a field another writer stored.
type Store struct {
	dir string
	mu  sync.Mutex
}

// New creates the directory if needed.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create state dir: %w", err)
	}
	return &Store{dir: dir}, nil
}

var uidPattern = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

func (s *Store) path(uid string) (string, error) {
	if !uidPattern.MatchString(uid) {
		return "", fmt.Errorf("invalid vmi uid %q", uid)
	}
	return filepath.Join(s.dir, uid+".json"), nil
}

// Get returns the record of uid; ok is false if there is none.
func (s *Store) Get(uid string) (Record, bool, error) {
	p, err := s.path(uid)
	if err != nil {
		return Record{}, false, err
	}
	raw, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Record{UID: uid}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("read state of %s: %w", uid, err)
	}
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		return Record{}, false, fmt.Errorf("decode state of %s: %w", uid, err)
	}
	return r, true, nil
}

// Put writes the record atomically.
func (s *Store) Put(r Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(r)
}

// Update applies fn to the stored record of uid (a new one when there is
// none, found false) and writes the result, with no other write between.
func (s *Store) Update(uid string, fn func(r *Record, found bool)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, found, err := s.Get(uid)
	if err != nil {
		return err
	}
	fn(&r, found)
	return s.put(r)
}

func (s *Store) put(r Record) error {
	p, err := s.path(r.UID)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode state of %s: %w", r.UID, err)
	}
	tmp, err := os.CreateTemp(s.dir, ".tmp-"+r.UID+"-")
	if err != nil {
		return fmt.Errorf("create temp state file: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("write state of %s: %w", r.UID, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync state of %s: %w", r.UID, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close state of %s: %w", r.UID, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("commit state of %s: %w", r.UID, err)
	}
	return nil
}

// Delete removes the record; a missing one is fine.
func (s *Store) Delete(uid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.path(uid)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove state of %s: %w", uid, err)
	}
	return nil
}

// List returns every record, e.g. to clean up after VMIs deleted while the
// handler was down.
func (s *Store) List() ([]Record, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list state dir: %w", err)
	}
	var out []Record
	for _, e := range entries {
		name := e.Name()
		if filepath.Ext(name) != ".json" || name[0] == '.' {
			continue
		}
		r, ok, err := s.Get(name[:len(name)-len(".json")])
		if err != nil || !ok {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}
