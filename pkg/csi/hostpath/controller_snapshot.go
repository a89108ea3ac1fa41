package hostpath

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// snapshotID derives a snapshot's id from its name, as volumeID does.
func snapshotID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "snap-" + hex.EncodeToString(sum[:16])
}

// contentSource returns the data path a new volume v is filled from: a
// snapshot's copy or another volume's data. The source must exist, have v's
// access type and fit in v.
func (d *Driver) contentSource(src *csi.VolumeContentSource, v *Volume) (string, error) {
	if src == nil {
		return "", nil
	}
	var (
		at   AccessType
		size int64
		path string
	)
	switch {
	case src.GetSnapshot() != nil:
		sn, err := d.store.GetSnapshot(src.GetSnapshot().GetSnapshotId())
		if err != nil {
			return "", status.Errorf(codes.Internal, "look up snapshot: %v", err)
		}
		if sn == nil {
			return "", status.Errorf(codes.NotFound, "snapshot %q not found", src.GetSnapshot().GetSnapshotId())
		}
		at, size, path = sn.AccessType, sn.SizeBytes, d.store.SnapshotDataPath(sn)
	case src.GetVolume() != nil:
		sv, err := d.store.Get(src.GetVolume().GetVolumeId())
		if err != nil {
			return "", status.Errorf(codes.Internal, "look up volume: %v", err)
		}
		if sv == nil {
			return "", status.Errorf(codes.NotFound, "volume %q not found", src.GetVolume().GetVolumeId())
		}
		at, size, path = sv.AccessType, sv.CapacityBytes, d.store.DataPath(sv)
	default:
		return "", status.Error(codes.InvalidArgument, "content source names neither a snapshot nor a volume")
	}
	if at != v.AccessType {
		return "", status.Errorf(codes.InvalidArgument, "content source is %s, volume is %s", at, v.AccessType)
	}
	if size > v.CapacityBytes {
		return "", status.Errorf(codes.OutOfRange, "content source has %d bytes, volume only %d", size, v.CapacityBytes)
	}
	return path, nil
}

func csiSnapshot(sn *Snapshot) *csi.Snapshot {
	return &csi.Snapshot{
		SnapshotId:     sn.ID,
		SourceVolumeId: sn.SourceVolumeID,
		SizeBytes:      sn.SizeBytes,
		CreationTime:   timestamppb.New(time.Unix(sn.CreatedUnix, 0)),
		ReadyToUse:     true,
	}
}

func (c *controllerServer) CreateSnapshot(_ context.Context, req *csi.CreateSnapshotRequest) (*csi.CreateSnapshotResponse, error) {
	if req.GetName() == "" || req.GetSourceVolumeId() == "" {
		return nil, status.Error(codes.InvalidArgument, "name and source volume id are required")
	}
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	id := snapshotID(req.GetName())
	existing, err := c.d.store.GetSnapshot(id)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "look up snapshot: %v", err)
	}
	if existing != nil {
		if existing.SourceVolumeID != req.GetSourceVolumeId() {
			return nil, status.Errorf(codes.AlreadyExists, "snapshot %q exists for volume %s", req.GetName(), existing.SourceVolumeID)
		}
		return &csi.CreateSnapshotResponse{Snapshot: csiSnapshot(existing)}, nil
	}
	v, err := c.d.lookup(req.GetSourceVolumeId())
	if err != nil {
		return nil, err
	}
	sn := Snapshot{ID: id, Name: req.GetName(), SourceVolumeID: v.ID, SizeBytes: v.CapacityBytes,
		AccessType: v.AccessType, CreatedUnix: time.Now().Unix()}
	if err := c.d.store.CreateSnapshot(sn, v); err != nil {
		return nil, status.Errorf(codes.Internal, "create snapshot %s: %v", id, err)
	}
	return &csi.CreateSnapshotResponse{Snapshot: csiSnapshot(&sn)}, nil
}

func (c *controllerServer) DeleteSnapshot(_ context.Context, req *csi.DeleteSnapshotRequest) (*csi.DeleteSnapshotResponse, error) {
	if req.GetSnapshotId() == "" {
		return nil, status.Error(codes.InvalidArgument, "snapshot id is required")
	}
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if err := c.d.store.DeleteSnapshot(req.GetSnapshotId()); err != nil {
		return nil, status.Errorf(codes.Internal, "delete snapshot: %v", err)
	}
	return &csi.DeleteSnapshotResponse{}, nil
}

// ListSnapshots filters by snapshot id and source volume; the page token is
// the index of the next entry.
func (c *controllerServer) ListSnapshots(_ context.Context, req *csi.ListSnapshotsRequest) (*csi.ListSnapshotsResponse, error) {
	c.d.mu.Lock()
	all, err := c.d.store.ListSnapshots()
	c.d.mu.Unlock()
	if err != nil {
		return nil, status.Errorf(codes.Internal, "list snapshots: %v", err)
	}
	var match []*csi.ListSnapshotsResponse_Entry
	for i := range all {
		sn := &all[i]
		if (req.GetSnapshotId() != "" && sn.ID != req.GetSnapshotId()) ||
			(req.GetSourceVolumeId() != "" && sn.SourceVolumeID != req.GetSourceVolumeId()) {
			continue
		}
		match = append(match, &csi.ListSnapshotsResponse_Entry{Snapshot: csiSnapshot(sn)})
	}
	start := 0
	if t := req.GetStartingToken(); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > len(match) {
			return nil, status.Errorf(codes.Aborted, "invalid starting token %q", t)
		}
		start = n
	}
	end := len(match)
	if m := int(req.GetMaxEntries()); m > 0 && start+m < end {
		end = start + m
	}
	resp := &csi.ListSnapshotsResponse{Entries: match[start:end]}
	if end < len(match) {
		resp.NextToken = strconv.Itoa(end)
	}
	return resp, nil
}
