// Command kvirt-image assembles one OCI image archive from host files without a Docker
// engine and prints its content-addressed reference. hack/build-images.sh drives it.
//
//	kvirt-image --name kvirt.local/virt-api --out _out/images/virt-api.tar \
//	  --file _out/bin/virt-api:usr/bin/virt-api:0755 --entrypoint /usr/bin/virt-api
//
// Every --tree becomes one layer (in order), all --file entries one more layer on top.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"kvirt.io/kvirt/images/ociimage"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

type options struct {
	name, out, spoolDir string
	files, trees        listFlag
	entrypoint, env     listFlag
	user, workDir       string
}

func main() {
	o := options{}
	fs := flag.NewFlagSet("kvirt-image", flag.ExitOnError)
	fs.StringVar(&o.name, "name", "", "image repository, e.g. kvirt.local/virt-api (the tag is the content digest)")
	fs.StringVar(&o.out, "out", "", "OCI archive to write")
	fs.StringVar(&o.spoolDir, "spool-dir", "", "directory for the uncompressed tar of --tree layers (default: next to --out)")
	fs.Var(&o.files, "file", "SRC:DST[:MODE] host file copied to DST (octal MODE, default 0644); repeatable")
	fs.Var(&o.trees, "tree", "SRC[:PREFIX] host directory copied under PREFIX as one layer; repeatable")
	fs.Var(&o.entrypoint, "entrypoint", "entrypoint argument; repeat for each")
	fs.Var(&o.env, "env", "KEY=VALUE in the image config; repeatable")
	fs.StringVar(&o.user, "user", "", "user the image runs as")
	fs.StringVar(&o.workDir, "workdir", "/", "working directory")
	_ = fs.Parse(os.Args[1:])
	ref, err := run(o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kvirt-image: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(ref)
}

func run(o options) (string, error) {
	if o.name == "" || o.out == "" {
		return "", errors.New("--name and --out are required")
	}
	if o.spoolDir == "" {
		o.spoolDir = filepath.Dir(o.out)
	}
	layers, err := buildLayers(o)
	if err != nil {
		return "", err
	}
	img, err := ociimage.Build(layers, ociimage.Config{
		Entrypoint: o.entrypoint, Env: o.env, User: o.user, WorkingDir: o.workDir,
	})
	if err != nil {
		return "", err
	}
	tag, err := ociimage.DigestTag(img)
	if err != nil {
		return "", err
	}
	ref := o.name + ":" + tag
	if err := ociimage.WriteArchiveFile(o.out, img, ref, tag); err != nil {
		return "", err
	}
	return ref, nil
}

func buildLayers(o options) ([]v1.Layer, error) {
	var layers []v1.Layer
	for i, t := range o.trees {
		src, prefix, _ := strings.Cut(t, ":")
		entries, err := ociimage.TreeEntries(src, prefix)
		if err != nil {
			return nil, err
		}
		spool := filepath.Join(o.spoolDir, fmt.Sprintf(".%s.layer%d.tar", filepath.Base(o.out), i))
		l, err := ociimage.NewLayer(entries, spool)
		if err != nil {
			return nil, fmt.Errorf("layer from %s: %w", src, err)
		}
		layers = append(layers, l)
	}
	if len(o.files) == 0 {
		return layers, nil
	}
	entries := make([]ociimage.Entry, 0, len(o.files))
	for _, f := range o.files {
		e, err := parseFile(f)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	l, err := ociimage.NewLayer(entries, "")
	if err != nil {
		return nil, fmt.Errorf("file layer: %w", err)
	}
	return append(layers, l), nil
}

// parseFile parses SRC:DST[:MODE].
func parseFile(spec string) (ociimage.Entry, error) {
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return ociimage.Entry{}, fmt.Errorf("--file %q: want SRC:DST[:MODE]", spec)
	}
	mode := fs.FileMode(0o644)
	if len(parts) == 3 {
		m, err := strconv.ParseUint(parts[2], 8, 32)
		if err != nil {
			return ociimage.Entry{}, fmt.Errorf("--file %q: mode: %w", spec, err)
		}
		mode = fs.FileMode(m)
	}
	return ociimage.FileFromHost(parts[0], parts[1], mode), nil
}
