package loop

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// Retry delays of a key whose sync failed: exponential from MinRetryDelay,
// doubling per consecutive failure, capped at MaxRetryDelay, so an API outage
// (a webhook down) is retried at least once a minute until it ends.
const (
	MinRetryDelay = 5 * time.Millisecond
	MaxRetryDelay = 60 * time.Second
)

// RateLimiter is the loop's per-key backoff (MinRetryDelay..MaxRetryDelay)
// combined with an overall bucket of 10 retries a second (burst 100).
func RateLimiter() workqueue.TypedRateLimiter[string] {
	return workqueue.NewTypedMaxOfRateLimiter(
		workqueue.NewTypedItemExponentialFailureRateLimiter[string](MinRetryDelay, MaxRetryDelay),
		&workqueue.TypedBucketRateLimiter[string]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},
	)
}

// SyncFunc reconciles one key. A positive requeueAfter asks to look again later
// even without an event; an error requeues with rate-limited backoff.
type SyncFunc func(ctx context.Context, key string) (requeueAfter time.Duration, err error)

// Loop is a named workqueue and the workers that drain it.
type Loop struct {
	name  string
	queue workqueue.TypedRateLimitingInterface[string]
	sync  SyncFunc
}

// New returns a loop called name; provider may be nil (no queue metrics).
func New(name string, sync SyncFunc, provider workqueue.MetricsProvider) *Loop {
	return &Loop{
		name: name,
		sync: sync,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			RateLimiter(),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: name, MetricsProvider: provider},
		),
	}
}

// Add queues key now.
func (l *Loop) Add(key string) { l.queue.Add(key) }

// AddAfter queues key after d.
func (l *Loop) AddAfter(key string, d time.Duration) { l.queue.AddAfter(key, d) }

// Enqueue queues the key of an informer object (tombstones included).
func (l *Loop) Enqueue(obj interface{}) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	l.queue.Add(key)
}

// Handler enqueues every added, updated or deleted object.
func (l *Loop) Handler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    l.Enqueue,
		UpdateFunc: func(_, obj interface{}) { l.Enqueue(obj) },
		DeleteFunc: l.Enqueue,
	}
}

// Len is the number of keys waiting.
func (l *Loop) Len() int { return l.queue.Len() }

// RunSynced waits for the informers behind synced, then runs workers like Run. It
// fails if ctx ends before the caches are filled.
func (l *Loop) RunSynced(ctx context.Context, workers int, synced ...cache.InformerSynced) error {
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return fmt.Errorf("%s: caches did not sync: %w", l.name, ctx.Err())
	}
	l.Run(ctx, workers)
	return nil
}

// Run starts workers and blocks until ctx ends and every worker has returned.
func (l *Loop) Run(ctx context.Context, workers int) {
	log := klog.FromContext(ctx).WithValues("controller", l.name)
	ctx = klog.NewContext(ctx, log)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait.UntilWithContext(ctx, l.work, time.Second)
		}()
	}
	log.Info("workers started", "workers", workers)
	<-ctx.Done()
	l.queue.ShutDown()
	wg.Wait()
}

func (l *Loop) work(ctx context.Context) {
	for l.next(ctx) {
	}
}

func (l *Loop) next(ctx context.Context) bool {
	key, quit := l.queue.Get()
	if quit {
		return false
	}
	defer l.queue.Done(key)
	after, err := l.sync(ctx, key)
	switch {
	case err != nil:
		if !errors.Is(err, context.Canceled) {
			klog.FromContext(ctx).V(2).Info("sync failed, requeueing", "key", key, "err", err.Error())
		}
		l.queue.AddRateLimited(key)
	case after > 0:
		l.queue.Forget(key)
		l.queue.AddAfter(key, after)
	default:
		l.queue.Forget(key)
	}
	return true
}
