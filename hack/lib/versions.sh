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
