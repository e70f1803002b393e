package container

import (
	"context"
	"errors"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/store"
)

// buildDiskCleanupJob is Hedwig's nightly DiskCleanupJob: compress old
// message files (compress_after), expunge old messages by mailbox
// (expunge_after), remove unreferenced message files, and stop after
// stop_cron_after.
func (e *env) buildDiskCleanupJob(b *beanReader) *Job {
	props := e.globalSettings().Conf.Properties
	get := func(key string) string {
		if props == nil {
			return ""
		}
		v, _ := props.Get(key)
		return v
	}
	h, err := store.ParseHousekeeping(get("compress_after"), get("expunge_after"), get("stop_cron_after"))
	if err != nil {
		// conf already reported malformed ages with their lines.
		e.log.Warn("housekeeping settings", zap.Error(err))
	}
	return &Job{Methods: map[string]func(context.Context) error{
		"execute": func(ctx context.Context) error {
			if e.store == nil {
				return errors.New("no mail store")
			}
			rep, err := e.store.Housekeep(ctx, h)
			e.log.Info("disk clean-up", zap.Int("purged", rep.Purged), zap.Int("expunged", rep.Expunged),
				zap.Int("compressed", rep.Compressed), zap.Int("recovered", rep.Recovered), zap.Bool("stopped_early", rep.Stopped))
			return err
		},
	}}
}
