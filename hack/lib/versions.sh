#!/usr/bin/env bash
# Pinned versions of the external components kvirt tests run against.
#
# This file is the single source of truth: hack/*.sh source it and the Go package
# kvirt.io/kvirt/tests/framework/controlplane parses it (plain NAME=value lines only,
# no expansions), so keep every pin on one line of that form.

# Kubernetes (k8s.io/kubernetes); its staging modules are v0.<minor>.<patch>.
KUBE_VERSION=v1.37.2
# etcd server (go.etcd.io/etcd/server/v3).
ETCD_VERSION=v3.6.16
# KWOK (sigs.k8s.io/kwok), the fake nodes of make perf-kwok.
KWOK_VERSION=v0.8.0
# Kubernetes CSI sidecars (hack/build-csi-bins.sh), exact versions the Go module proxy
# serves here. external-snapshotter provides csi-snapshotter and snapshot-controller
# (its client/v8 submodule is taken at the same version).
CSI_PROVISIONER_VERSION=v6.4.0
CSI_ATTACHER_VERSION=v4.13.0
CSI_RESIZER_VERSION=v1.14.0
CSI_SNAPSHOTTER_VERSION=v8.7.0
# Multus CNI, thin plugin (gopkg.in/k8snetworkplumbingwg/multus-cni.v4, hack/build-multus.sh):
# the secondary networks of the local cluster.
MULTUS_VERSION=v4.2.2
# Not served at any version tried (so not pinned, nor built): the hostpath driver
# (github.com/kubernetes-csi/csi-driver-host-path v1.9.0-v1.18.0, @latest, @master),
# node-driver-registrar and livenessprobe (v2.10.1-v2.18.0 as /v2, as +incompatible, v1.x).
