package prometheus

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Instance is a Prometheus started by Start.
type Instance struct {
	*Client
	root string
	env  []string
}

// Start runs `hack/prometheus.sh start` of the checkout at root with env added
// to the environment (KVIRT_PROMETHEUS_KUBECONFIG, KVIRT_E2E_KUBECTL, ...) and
// returns the running Prometheus. Stop it with Stop.
func Start(ctx context.Context, root string, env ...string) (*Instance, error) {
	in := &Instance{root: root, env: append(os.Environ(), env...)}
	out, err := in.script(ctx, "start")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	in.Client = NewClient(lines[len(lines)-1])
	return in, nil
}

// Stop runs `hack/prometheus.sh stop`: both processes Start started end.
func (in *Instance) Stop(ctx context.Context) error {
	_, err := in.script(ctx, "stop")
	return err
}

func (in *Instance) script(ctx context.Context, verb string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(in.root, "hack", "prometheus.sh"), verb)
	cmd.Dir, cmd.Env = in.root, in.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("hack/prometheus.sh %s: %w: %s", verb, err, stderr.String())
	}
	return stdout.String(), nil
}

// Client reads a Prometheus's HTTP API (/api/v1).
type Client struct {
	// URL is the Prometheus's base URL, e.g. http://127.0.0.1:19090.
	URL  string
	HTTP *http.Client
}

// NewClient returns a Client of the Prometheus at base.
func NewClient(base string) *Client {
	return &Client{URL: strings.TrimSuffix(base, "/"), HTTP: &http.Client{Timeout: 10 * time.Second}}
}

// Sample is one series of an instant vector.
type Sample struct {
	Metric map[string]string
	Value  float64
}

// Target is an active scrape target.
type Target struct {
	Labels    map[string]string `json:"labels"`
	ScrapeURL string            `json:"scrapeUrl"`
	// Health is up, down or unknown (not scraped yet).
	Health    string `json:"health"`
	LastError string `json:"lastError"`
}

// RuleGroup is a loaded rule group.
type RuleGroup struct {
	Name  string `json:"name"`
	File  string `json:"file"`
	Rules []Rule `json:"rules"`
}

// Rule is a recording rule (Type "recording") or an alert (Type "alerting").
type Rule struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Health string `json:"health"`
	// State is an alert's state: inactive, pending or firing.
	State     string `json:"state"`
	LastError string `json:"lastError"`
}

// Alert is a pending or firing alert.
type Alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
}

// Query evaluates an instant query whose result is a vector.
func (c *Client) Query(ctx context.Context, promql string) ([]Sample, error) {
	var data struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	}
	if err := c.get(ctx, "/api/v1/query?query="+url.QueryEscape(promql), &data); err != nil {
		return nil, err
	}
	if data.ResultType != "vector" {
		return nil, fmt.Errorf("query %q: result type %s, want vector", promql, data.ResultType)
	}
	out := make([]Sample, 0, len(data.Result))
	for _, r := range data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %q: value %v: %w", promql, r.Value[1], err)
		}
		out = append(out, Sample{Metric: r.Metric, Value: v})
	}
	return out, nil
}

// Targets returns the active scrape targets.
func (c *Client) Targets(ctx context.Context) ([]Target, error) {
	var data struct {
		Active []Target `json:"activeTargets"`
	}
	err := c.get(ctx, "/api/v1/targets?state=active", &data)
	return data.Active, err
}

// Rules returns the loaded rule groups.
func (c *Client) Rules(ctx context.Context) ([]RuleGroup, error) {
	var data struct {
		Groups []RuleGroup `json:"groups"`
	}
	err := c.get(ctx, "/api/v1/rules", &data)
	return data.Groups, err
}

// Alerts returns the pending and firing alerts.
func (c *Client) Alerts(ctx context.Context) ([]Alert, error) {
	var data struct {
		Alerts []Alert `json:"alerts"`
	}
	err := c.get(ctx, "/api/v1/alerts", &data)
	return data.Alerts, err
}

// get decodes the data of a successful API response into out.
func (c *Client) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("prometheus %s: %w", path, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("prometheus %s: %s: %w", path, resp.Status, err)
	}
	if body.Status != "success" {
		return fmt.Errorf("prometheus %s: %s: %s", path, resp.Status, body.Error)
	}
	if err := json.Unmarshal(body.Data, out); err != nil {
		return fmt.Errorf("prometheus %s: decode: %w", path, err)
	}
	return nil
}
