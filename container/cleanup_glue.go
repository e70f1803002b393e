package container

import (
	"context"
	"errors"
)

// buildDiskCleanupJob is Hedwig's nightly DiskCleanupJob: compress old
// message files, expunge old messages by mailbox, stop after
// stop_cron_after.
func (e *env) buildDiskCleanupJob(b *beanReader) *Job {
	return &Job{Methods: map[string]func(context.Context) error{
		"execute": func(ctx context.Context) error {
			if e.store == nil {
				return errors.New("no mail store")
			}
			return errors.New("housekeeping is not available yet")
		},
	}}
}
