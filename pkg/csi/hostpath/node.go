package hostpath

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// nodeServer is the CSI node service: it bind-mounts Filesystem volumes into
// pod target paths. There is no staging step.
type nodeServer struct {
	csi.UnimplementedNodeServer
	d *Driver
}

func (n *nodeServer) NodeGetInfo(context.Context, *csi.NodeGetInfoRequest) (*csi.NodeGetInfoResponse, error) {
	return &csi.NodeGetInfoResponse{
		NodeId:             n.d.cfg.NodeID,
		AccessibleTopology: &csi.Topology{Segments: map[string]string{TopologyKey: n.d.cfg.NodeID}},
	}, nil
}

func (n *nodeServer) NodeGetCapabilities(context.Context, *csi.NodeGetCapabilitiesRequest) (
	*csi.NodeGetCapabilitiesResponse, error) {
	return &csi.NodeGetCapabilitiesResponse{}, nil
}

func (n *nodeServer) NodePublishVolume(_ context.Context, req *csi.NodePublishVolumeRequest) (
	*csi.NodePublishVolumeResponse, error) {
	if req.GetTargetPath() == "" {
		return nil, status.Error(codes.InvalidArgument, "target path is required")
	}
	at, err := accessTypeOf([]*csi.VolumeCapability{req.GetVolumeCapability()})
	if err != nil {
		return nil, err
	}
	n.d.mu.Lock()
	defer n.d.mu.Unlock()
	v, err := n.d.lookup(req.GetVolumeId())
	if err != nil {
		return nil, err
	}
	if at != v.AccessType {
		return nil, status.Errorf(codes.InvalidArgument, "volume %s is %s, asked for %s", v.ID, v.AccessType, at)
	}
	readOnly := req.GetReadonly() ||
		req.GetVolumeCapability().GetAccessMode().GetMode() == csi.VolumeCapability_AccessMode_SINGLE_NODE_READER_ONLY
	publish := n.publishDir
	if at == AccessBlock {
		publish = n.publishBlock
	}
	if err := publish(n.d.store.DataPath(v), req.GetTargetPath(), readOnly); err != nil {
		return nil, status.Errorf(codes.Internal, "publish %s: %v", v.ID, err)
	}
	return &csi.NodePublishVolumeResponse{}, nil
}

// publishDir bind-mounts source on target unless target is already a mount
// point (a retried call).
func (n *nodeServer) publishDir(source, target string, readOnly bool) error {
	if err := os.MkdirAll(target, 0o750); err != nil {
		return fmt.Errorf("create target: %w", err)
	}
	mounted, err := n.d.mounter.IsMountPoint(target)
	if err != nil || mounted {
		return err
	}
	return n.d.mounter.BindMount(source, target, readOnly)
}

// publishBlock attaches the backing file to a loop device (reusing an
// attachment that survived a restart) and bind-mounts the device node on
// target, a file. A read-only bind does not stop writes to a device node.
func (n *nodeServer) publishBlock(backing, target string, readOnly bool) error {
	dev, err := n.d.loops.Find(backing)
	if err != nil {
		return err
	}
	if dev == "" {
		if dev, err = n.d.loops.Attach(backing); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return fmt.Errorf("create target dir: %w", err)
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_RDONLY, 0o660)
	if err != nil {
		return fmt.Errorf("create target: %w", err)
	}
	_ = f.Close()
	mounted, err := n.d.mounter.IsMountPoint(target)
	if err != nil || mounted {
		return err
	}
	return n.d.mounter.BindMount(dev, target, readOnly)
}

func (n *nodeServer) NodeUnpublishVolume(_ context.Context, req *csi.NodeUnpublishVolumeRequest) (
	*csi.NodeUnpublishVolumeResponse, error) {
	if req.GetVolumeId() == "" || req.GetTargetPath() == "" {
		return nil, status.Error(codes.InvalidArgument, "volume id and target path are required")
	}
	n.d.mu.Lock()
	defer n.d.mu.Unlock()
	target := req.GetTargetPath()
	mounted, err := n.d.mounter.IsMountPoint(target)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "unpublish %s: %v", req.GetVolumeId(), err)
	}
	if mounted {
		if err := n.d.mounter.Unmount(target); err != nil {
			return nil, status.Errorf(codes.Internal, "unpublish %s: %v", req.GetVolumeId(), err)
		}
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, status.Errorf(codes.Internal, "remove target of %s: %v", req.GetVolumeId(), err)
	}
	if err := n.detachBlock(req.GetVolumeId()); err != nil {
		return nil, status.Errorf(codes.Internal, "unpublish %s: %v", req.GetVolumeId(), err)
	}
	return &csi.NodeUnpublishVolumeResponse{}, nil
}

// detachBlock detaches the loop device of a Block volume, if any. One publish
// per Block volume per node is assumed (see docs/csi-hostpath.md); the kernel
// defers the detach while a consumer (QEMU) still has the device open.
func (n *nodeServer) detachBlock(id string) error {
	v, err := n.d.store.Get(id)
	if err != nil || v == nil || v.AccessType != AccessBlock {
		return err
	}
	dev, err := n.d.loops.Find(n.d.store.DataPath(v))
	if err != nil || dev == "" {
		return err
	}
	return n.d.loops.Detach(dev)
}
