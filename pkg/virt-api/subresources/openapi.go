package subresources

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// OpenAPI paths the kube-apiserver's aggregator downloads from an APIService
// (v2, and v3 through its discovery document) to merge into its own.
const (
	openAPIV2Path = "/openapi/v2"
	openAPIV3Path = "/openapi/v3"
)

// openAPIDocs are the group's OpenAPI documents, rendered once: every path
// the group serves, its parameters and answers; bodies are plain objects (their
// types are kubevirt.io's, described by the CRDs' schemas).
type openAPIDocs struct {
	v2, v3, v3Discovery []byte
	v2ETag, v3ETag      string
}

// opIDPrefix keeps operation IDs apart from the other APIs' in the merged spec.
const opIDPrefix = "subresourcesKubevirtIoV1-"

// operation is one path and method of the group.
type operation struct {
	path, method, id, doc string
	// namespaced and named add the namespace and name path parameters.
	namespaced, named bool
	// body is true for a PUT that takes a JSON body.
	body bool
	// accepted is true when success is 202 (lifecycle requests).
	accepted bool
	// query lists boolean query parameters and what they mean.
	query [][2]string
	// produces is the success body's type; empty is JSON.
	produces string
	// params are the path parameters after the name (port, protocol).
	params [][2]string
}

// operations lists every route of the group for the OpenAPI documents.
func operations() []operation {
	gv := "/apis/" + GroupName + "/" + Version
	ops := []operation{
		{path: gv + "/version", method: http.MethodGet, id: opIDPrefix + "version", doc: "The version of virt-api."},
		{path: gv + "/healthz", method: http.MethodGet, id: opIDPrefix + "healthz", doc: "Whether virt-api reaches the kube-apiserver."},
	}
	for _, r := range routes {
		op := operation{
			path: gv + "/namespaces/{namespace}/" + r.resource, method: r.method, namespaced: true,
			id: opIDPrefix + operationName(r), doc: routeDoc(r),
			body: r.method == http.MethodPut && r.resource != resDataVolumes, accepted: r.method == http.MethodPut && r.resource == resVMs,
		}
		if r.sub != "" {
			op.path += "/{name}/" + r.sub + r.params
			op.named = true
			op.params = routeParams(r)
		}
		op.query, op.produces = displayParams(r.sub)
		ops = append(ops, op)
	}
	return ops
}

func routeDoc(r route) string {
	switch {
	case r.resource == resExpandVMSpc:
		return "Returns the VirtualMachine in the body with its instancetype and preference applied to its template."
	case r.sub == "expand-spec":
		return "Returns the VirtualMachine with its instancetype and preference applied to its template."
	case r.sub == subPortForward:
		return portForwardDoc(r)
	case r.resource == resDataVolumes:
		return "Streams the body (a raw, qcow2 or gzip disk image) into the cdi.kubevirt.io DataVolume's upload server."
	case r.nodeSide:
		return "Forwards " + r.sub + " to the virt-handler of the VirtualMachineInstance's node."
	default:
		return "Requests " + r.sub + " of the VirtualMachine."
	}
}

func newOpenAPIDocs() openAPIDocs {
	var d openAPIDocs
	d.v2, d.v2ETag = render(openAPIV2(operations()))
	d.v3, d.v3ETag = render(openAPIV3(operations()))
	d.v3Discovery, _ = render(map[string]any{"paths": map[string]any{
		strings.TrimPrefix(groupVersionPath(), "/"): map[string]any{
			"serverRelativeURL": openAPIV3Path + groupVersionPath() + "?hash=" + d.v3ETag,
		},
	}})
	return d
}

func groupVersionPath() string { return "/apis/" + GroupName + "/" + Version }

// render marshals a document (maps and slices of JSON values: it cannot fail)
// and returns it with its hash.
func render(doc any) ([]byte, string) {
	raw, _ := json.Marshal(doc)
	sum := sha256.Sum256(raw)
	return raw, strings.ToUpper(hex.EncodeToString(sum[:]))
}

func (d openAPIDocs) register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+openAPIV2Path, serveDoc(d.v2, d.v2ETag))
	mux.HandleFunc("GET "+openAPIV3Path, serveDoc(d.v3Discovery, ""))
	mux.HandleFunc("GET "+openAPIV3Path+groupVersionPath(), serveDoc(d.v3, d.v3ETag))
}

// serveDoc answers a document with its ETag, or 304 to a client that has it.
func serveDoc(doc []byte, etag string) http.HandlerFunc {
	quoted := `"` + etag + `"`
	return func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if etag != "" {
			w.Header().Set("ETag", quoted)
			if req.Header.Get("If-None-Match") == quoted {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		_, _ = w.Write(doc)
	}
}

func openAPIV2(ops []operation) map[string]any {
	paths := map[string]any{}
	for _, op := range ops {
		var params []any
		for _, p := range pathParams(op) {
			params = append(params, map[string]any{"name": p[0], "in": "path", "required": true, "type": "string", "description": p[1]})
		}
		for _, q := range op.query {
			params = append(params, map[string]any{"name": q[0], "in": "query", "type": "boolean", "description": q[1]})
		}
		if op.body {
			params = append(params, map[string]any{"name": "body", "in": "body", "required": op.resourceBody(),
				"schema": map[string]any{"type": "object"}})
		}
		o := map[string]any{
			"operationId": op.id, "description": op.doc, "tags": []string{"subresources"},
			"consumes": []string{"application/json"}, "produces": []string{op.mediaType()},
			"responses": responses(op, func(desc string) any { return map[string]any{"description": desc} }),
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		addOperation(paths, op, o)
	}
	return map[string]any{
		"swagger": "2.0",
		"info":    map[string]any{"title": "KubeVirt subresources API", "version": Version},
		"paths":   paths,
	}
}

func openAPIV3(ops []operation) map[string]any {
	paths := map[string]any{}
	content := map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
	for _, op := range ops {
		var params []any
		for _, p := range pathParams(op) {
			params = append(params, map[string]any{"name": p[0], "in": "path", "required": true, "description": p[1],
				"schema": map[string]any{"type": "string"}})
		}
		for _, q := range op.query {
			params = append(params, map[string]any{"name": q[0], "in": "query", "description": q[1],
				"schema": map[string]any{"type": "boolean"}})
		}
		o := map[string]any{
			"operationId": op.id, "description": op.doc, "tags": []string{"subresources"},
			"responses": responses(op, func(desc string) any { return map[string]any{"description": desc, "content": content} }),
		}
		if op.produces != "" {
			o["responses"].(map[string]any)["200"] = map[string]any{"description": "OK", "content": map[string]any{
				op.produces: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.body {
			o["requestBody"] = map[string]any{"required": op.resourceBody(), "content": content}
		}
		addOperation(paths, op, o)
	}
	return map[string]any{
		"openapi": "3.0.0",
		"info":    map[string]any{"title": "KubeVirt subresources API", "version": Version},
		"paths":   paths,
	}
}

// resourceBody is true where the body is the object itself (expand-vm-spec),
// not optional options.
func (op operation) resourceBody() bool { return !op.named }

func pathParams(op operation) [][2]string {
	var out [][2]string
	if op.namespaced {
		out = append(out, [2]string{"namespace", "object name and auth scope, such as for teams and projects"})
	}
	if op.named {
		out = append(out, [2]string{"name", "name of the VirtualMachine or VirtualMachineInstance"})
	}
	return append(out, op.params...)
}

func responses(op operation, desc func(string) any) map[string]any {
	out := map[string]any{"default": desc("a Status saying why the request failed")}
	if op.accepted {
		out["202"] = desc("Accepted")
	} else {
		out["200"] = desc("OK")
	}
	return out
}

func addOperation(paths map[string]any, op operation, o map[string]any) {
	item, _ := paths[op.path].(map[string]any)
	if item == nil {
		item = map[string]any{}
		paths[op.path] = item
	}
	item[strings.ToLower(op.method)] = o
}
