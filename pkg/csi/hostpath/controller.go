package hostpath

import (
	"context"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// controllerServer is the CSI controller service. It runs on the node whose
// state dir it manages (external-provisioner in node-deployment mode).
type controllerServer struct {
	csi.UnimplementedControllerServer
	d *Driver
}

func (c *controllerServer) CreateVolume(_ context.Context, req *csi.CreateVolumeRequest) (*csi.CreateVolumeResponse, error) {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	existing, err := c.d.store.Get(volumeID(req.GetName()))
	if err != nil {
		return nil, status.Errorf(codes.Internal, "look up volume: %v", err)
	}
	v, create, err := planCreate(req, existing, c.d.cfg.NodeID)
	if err != nil {
		return nil, err
	}
	if create {
		from, err := c.d.contentSource(req.GetVolumeContentSource(), &v)
		if err != nil {
			return nil, err
		}
		if err := c.d.store.Create(v, from); err != nil {
			return nil, status.Errorf(codes.Internal, "create volume %s: %v", v.ID, err)
		}
	}
	return &csi.CreateVolumeResponse{Volume: &csi.Volume{
		VolumeId:           v.ID,
		CapacityBytes:      v.CapacityBytes,
		AccessibleTopology: []*csi.Topology{{Segments: map[string]string{TopologyKey: v.NodeID}}},
		ContentSource:      req.GetVolumeContentSource(),
	}}, nil
}

func (c *controllerServer) DeleteVolume(_ context.Context, req *csi.DeleteVolumeRequest) (*csi.DeleteVolumeResponse, error) {
	if req.GetVolumeId() == "" {
		return nil, status.Error(codes.InvalidArgument, "volume id is required")
	}
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if err := c.d.store.Delete(req.GetVolumeId()); err != nil {
		return nil, status.Errorf(codes.Internal, "delete volume %s: %v", req.GetVolumeId(), err)
	}
	return &csi.DeleteVolumeResponse{}, nil
}

func (c *controllerServer) ControllerExpandVolume(_ context.Context, req *csi.ControllerExpandVolumeRequest) (
	*csi.ControllerExpandVolumeResponse, error) {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	v, err := c.d.lookup(req.GetVolumeId())
	if err != nil {
		return nil, err
	}
	size, err := planExpand(v.CapacityBytes, req.GetCapacityRange())
	if err != nil {
		return nil, err
	}
	if size != v.CapacityBytes {
		if err := c.d.store.Resize(v.ID, size); err != nil {
			return nil, status.Errorf(codes.Internal, "expand volume %s: %v", v.ID, err)
		}
	}
	// A directory has no size to grow on the node; a block file grew above and
	// its loop device, if attached (same node, same process), is refreshed.
	if err := c.d.refreshLoop(v); err != nil {
		return nil, status.Errorf(codes.Internal, "expand volume %s: %v", v.ID, err)
	}
	return &csi.ControllerExpandVolumeResponse{CapacityBytes: size, NodeExpansionRequired: false}, nil
}

func (c *controllerServer) ValidateVolumeCapabilities(_ context.Context, req *csi.ValidateVolumeCapabilitiesRequest) (
	*csi.ValidateVolumeCapabilitiesResponse, error) {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	v, err := c.d.lookup(req.GetVolumeId())
	if err != nil {
		return nil, err
	}
	if len(req.GetVolumeCapabilities()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "volume capabilities are required")
	}
	at, err := accessTypeOf(req.GetVolumeCapabilities())
	if err != nil {
		return &csi.ValidateVolumeCapabilitiesResponse{Message: err.Error()}, nil
	}
	if at != v.AccessType {
		return &csi.ValidateVolumeCapabilitiesResponse{Message: "volume is " + string(v.AccessType)}, nil
	}
	return &csi.ValidateVolumeCapabilitiesResponse{Confirmed: &csi.ValidateVolumeCapabilitiesResponse_Confirmed{
		VolumeContext:      req.GetVolumeContext(),
		VolumeCapabilities: req.GetVolumeCapabilities(),
		Parameters:         req.GetParameters(),
	}}, nil
}

func (c *controllerServer) ControllerGetCapabilities(context.Context, *csi.ControllerGetCapabilitiesRequest) (
	*csi.ControllerGetCapabilitiesResponse, error) {
	var caps []*csi.ControllerServiceCapability
	for _, t := range []csi.ControllerServiceCapability_RPC_Type{
		csi.ControllerServiceCapability_RPC_CREATE_DELETE_VOLUME,
		csi.ControllerServiceCapability_RPC_EXPAND_VOLUME,
		csi.ControllerServiceCapability_RPC_CREATE_DELETE_SNAPSHOT,
		csi.ControllerServiceCapability_RPC_LIST_SNAPSHOTS,
		csi.ControllerServiceCapability_RPC_CLONE_VOLUME,
	} {
		caps = append(caps, &csi.ControllerServiceCapability{Type: &csi.ControllerServiceCapability_Rpc{
			Rpc: &csi.ControllerServiceCapability_RPC{Type: t}}})
	}
	return &csi.ControllerGetCapabilitiesResponse{Capabilities: caps}, nil
}

// lookup returns the volume with id or a gRPC error saying why not.
func (d *Driver) lookup(id string) (*Volume, error) {
	if id == "" {
		return nil, status.Error(codes.InvalidArgument, "volume id is required")
	}
	v, err := d.store.Get(id)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "look up volume %s: %v", id, err)
	}
	if v == nil {
		return nil, status.Errorf(codes.NotFound, "volume %s does not exist", id)
	}
	return v, nil
}

// refreshLoop makes the loop device a Block volume is attached to, if any,
// pick up the grown file size.
func (d *Driver) refreshLoop(v *Volume) error {
	if v.AccessType != AccessBlock {
		return nil
	}
	dev, err := d.loops.Find(d.store.DataPath(v))
	if err != nil || dev == "" {
		return err
	}
	return d.loops.Refresh(dev)
}
