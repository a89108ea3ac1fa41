package datavolume

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// progressTimeout bounds one read of an importer's progress.
const progressTimeout = 2 * time.Second

// ProgressReader reads a running transfer pod's progress, a percentage such as
// "45.20".
type ProgressReader func(ctx context.Context, pod *corev1.Pod) (string, error)

// HTTPProgress reads GET /progress from the pod's IP on port, as the importer
// serves it (plain HTTP, the body a decimal percentage).
func HTTPProgress(client *http.Client, port int32) ProgressReader {
	if client == nil {
		client = &http.Client{Timeout: progressTimeout}
	}
	return func(ctx context.Context, pod *corev1.Pod) (string, error) {
		if pod.Status.PodIP == "" {
			return "", fmt.Errorf("pod %s has no IP yet", pod.Name)
		}
		ctx, cancel := context.WithTimeout(ctx, progressTimeout)
		defer cancel()
		url := "http://" + net.JoinHostPort(pod.Status.PodIP, strconv.Itoa(int(port))) + "/progress"
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return "", fmt.Errorf("progress request: %w", err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", fmt.Errorf("get progress of %s: %w", pod.Name, err)
		}
		defer func() { _ = resp.Body.Close() }()
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("get progress of %s: %s", pod.Name, resp.Status)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64))
		if err != nil {
			return "", fmt.Errorf("read progress of %s: %w", pod.Name, err)
		}
		return strings.TrimSpace(string(body)), nil
	}
}
