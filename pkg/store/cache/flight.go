package cache

import (
	"context"
	"errors"

	"golang.org/x/sync/singleflight"
)

// together runs call once for the concurrent callers of one key (golang.org/x/sync/singleflight): the first
// caller's call runs, the callers that arrive while it runs wait for it, and each gets its answer or its error.
// Nothing outlives the call: a caller that arrives after it returned runs it again, so errors are not kept.
// Callers must not modify a shared answer (as with a kept one).
//
// Contexts: a waiter whose ctx ends stops waiting with ctx's error (the call goes on for the others). The call
// runs under the context of the caller that started it; a waiter handed that context's error (cancelled or timed
// out) while its own ctx is live runs the call again, under its own. A panic in call panics in every caller, as
// a direct call would (not in singleflight's goroutine, where no one could recover it).
func together[T any](ctx context.Context, g *singleflight.Group, key string, call func() (T, error)) (T, error) {
	for {
		ran := false // read only after the call returned: its result is received from the channel after
		ch := g.DoChan(key, func() (v any, err error) {
			ran = true
			defer func() {
				if r := recover(); r != nil {
					err = panicked{r}
				}
			}()
			return call()
		})
		var zero T
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case r := <-ch:
			if p, ok := r.Err.(panicked); ok {
				panic(p.value)
			}
			if !ran && ctx.Err() == nil && (errors.Is(r.Err, context.Canceled) || errors.Is(r.Err, context.DeadlineExceeded)) {
				continue
			}
			if r.Err != nil {
				return zero, r.Err
			}
			return r.Val.(T), nil
		}
	}
}

// panicked carries a panic of a shared call to its callers.
type panicked struct{ value any }

func (p panicked) Error() string { return "panic in a store call" }
