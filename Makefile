# kvirt developer entry points. Every target is safe to re-run.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

BIN_DIR := _out/bin
BINARIES := virt-api virt-controller virt-handler virt-launcher virt-operator virtctl container-disk kvirt-importer
MODULES := . staging/src/kvirt.io/api staging/src/kvirt.io/client-go

# A semantic version even without a tag (upstream's virtctl parses the server's):
# v0.0.0-dev+<commit>.
VERSION ?= $(shell git describe --tags --dirty 2>/dev/null || echo v0.0.0-dev+$$(git rev-parse --short HEAD 2>/dev/null || echo unknown))
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
TREE_STATE ?= $(shell test -z "$$(git status --porcelain 2>/dev/null)" && echo clean || echo dirty)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w \
	-X kvirt.io/kvirt/pkg/version.gitVersion=$(VERSION) \
	-X kvirt.io/kvirt/pkg/version.gitCommit=$(COMMIT) \
	-X kvirt.io/kvirt/pkg/version.gitTreeState=$(TREE_STATE) \
	-X kvirt.io/kvirt/pkg/version.buildDate=$(BUILD_DATE)

GO_TEST_FLAGS ?=
UNIT_PKGS = $$(go list ./... | grep -v '^kvirt.io/kvirt/tests/') ./tests/perf/...

.PHONY: all deps build generate verify test test-unit test-integration test-node test-guest test-fuzz \
	test-density bench-admission control-plane-bins csi-bins control-plane-up control-plane-down demo clean \
	demo-control-plane images cluster-up cluster-down cluster-smoke cluster-sync functest perf-local perf-kwok

all: build

# Each entry point first makes sure the Debian packages it needs are there
# (hack/install-deps.sh: instant when they are, installs them as root when not).
DEPS = @hack/install-deps.sh

## deps: install every Debian package and system user any target needs (root; only what is missing)
deps:
	hack/install-deps.sh

## build: build every binary into _out/bin
build:
	$(DEPS) build
	@mkdir -p $(BIN_DIR)
	go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN_DIR)/ $(addprefix ./cmd/,$(BINARIES))
	ln -sf virtctl $(BIN_DIR)/kubectl-virt
	@ls $(BIN_DIR)

## generate: regenerate deep copies, typed clients and CRDs
generate:
	$(DEPS) build
	hack/update-codegen.sh
	hack/update-proto.sh

## verify: fail on stale generated files, gofmt, go vet, lint or over-long files
verify:
	$(DEPS) build
	hack/verify-all.sh

## test: every test tier that CI runs
test: test-unit test-integration test-node test-fuzz

FUZZ_TIME ?= 20s

## test-fuzz: fuzz the admission validators briefly (seeded with upstream's examples)
test-fuzz:
	go test -run '^$$' -fuzz FuzzValidators -fuzztime $(FUZZ_TIME) ./pkg/virt-api/admission/validating/

## bench-admission: admission latency over the example VMs (p50/p99 of 1000 reviews)
bench-admission:
	go test -run '^$$' -bench BenchmarkAdmissionExamples -benchtime 1000x ./pkg/virt-api/admission/webhook/

## test-unit: unit tests of all three modules and of tests/perf (no external processes)
test-unit:
	$(DEPS) build
	go test $(GO_TEST_FLAGS) $(UNIT_PKGS)
	cd staging/src/kvirt.io/api && go test $(GO_TEST_FLAGS) ./...
	cd staging/src/kvirt.io/client-go && go test $(GO_TEST_FLAGS) ./...

## test-integration: tests against a real etcd + kube-apiserver (built on first use)
test-integration: control-plane-bins
	$(DEPS) build
	go test $(GO_TEST_FLAGS) -count=1 ./tests/compat/... ./tests/framework/... ./tests/integration/...

## test-density: virt-controller density report (100 VMIs) against a real apiserver
test-density: control-plane-bins
	go test -count=1 -v -run TestDensityReport ./tests/integration/virtcontroller/

## test-node: node tier: real virt-handler/virt-launcher, libvirt and QEMU (TCG) booting the test guest
test-node: control-plane-bins test-guest
	$(DEPS) build node
	go test $(GO_TEST_FLAGS) -count=1 -timeout 20m ./tests/framework/nodeenv/... ./tests/node/...

## test-guest: build the test guest (kernel, busybox initramfs, disk image) from Debian packages (cached)
test-guest:
	hack/build-test-guest.sh >/dev/null

## control-plane-bins: build the pinned etcd, kube-apiserver and kubectl (cached)
control-plane-bins:
	hack/build-control-plane-bins.sh

## csi-bins: build the pinned CSI sidecars (cached; not deployed by anything yet)
csi-bins:
	hack/build-csi-bins.sh

## demo: the main job on a fresh machine (see README): local cluster, kvirt through
## its operator, a VM booted and its serial console shown
demo:
	hack/cluster-demo.sh

## demo-control-plane: kvirt's CRDs and local components on a bare control plane (no kubelet)
demo-control-plane:
	hack/demo.sh

## control-plane-up / control-plane-down: a local control plane with kvirt's CRDs
control-plane-up:
	hack/control-plane.sh up

control-plane-down:
	hack/control-plane.sh down

## images: OCI archives of every kvirt image in _out/images (imported when the cluster runs)
images:
	$(DEPS) build
	hack/build-images.sh --import

## cluster-up / cluster-down: a local Kubernetes, one node (NODES=2 adds a second); kubeconfig at _out/cluster/kubeconfig
NODES ?= $(or $(KVIRT_CLUSTER_NODES),1)
cluster-up:
	KVIRT_CLUSTER_NODES=$(NODES) hack/cluster-up.sh

cluster-down:
	hack/cluster-down.sh

## cluster-sync: build the images and install/update kvirt on the local cluster via virt-operator
cluster-sync:
	hack/cluster-sync.sh

## functest: the e2e tier on the local cluster (brought up, with NODES nodes, and synced first)
functest:
	KVIRT_CLUSTER_NODES=$(NODES) hack/functest.sh

## perf-local: functest's creation figures (10 sequential + 10 parallel VMIs) into _out/perf/report.md
perf-local:
	KVIRT_PERF=1 hack/functest.sh -v -run TestCreationFigures

## perf-kwok: the control plane with KWOK_VMIS objects on KWOK_NODES fake nodes into _out/perf/kwok-report.md
KWOK_NODES ?= 8000
KWOK_VMIS ?= 8000
KWOK_RATE ?= 0
KWOK_KIND ?= vmi
KWOK_RUNS ?=
perf-kwok:
	KWOK_NODES=$(KWOK_NODES) KWOK_VMIS=$(KWOK_VMIS) KWOK_RATE=$(KWOK_RATE) KWOK_KIND=$(KWOK_KIND) KWOK_RUNS="$(KWOK_RUNS)" hack/perf-kwok.sh

## cluster-smoke: a pod on the local cluster reaches the apiserver; every built image runs
cluster-smoke:
	hack/cluster-smoke.sh

clean:
	@if compgen -G '_out/cluster/run/*.pid' >/dev/null; then \
		echo "the local cluster has state in _out/cluster (mounts, processes): run make cluster-down first" >&2; exit 1; fi
	rm -rf _out
