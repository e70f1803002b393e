package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// listen keeps a dedicated PostgreSQL connection in LISTEN and relays
// notifications; while it cannot, it polls, and after reconnecting it polls
// once to catch what it missed.
func (h *hub) listen() {
	defer h.s.bg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-h.stopCh
		cancel()
	}()
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, h.s.ds.DSN)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+notifyChannel)
		}
		if err != nil {
			if conn != nil {
				conn.Close(context.Background())
			}
			h.pollOnce()
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		h.pollOnce()
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				break
			}
			if e, ok := parseNotification(n.Payload); ok {
				h.publish(e)
			}
		}
		conn.Close(context.Background())
	}
}
