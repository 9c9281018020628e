package job

import (
	"context"
	"log/slog"
	"time"

	"github.com/linkrot/linkrot/archive"
)

// leftoverRemover is the optional capability of a Capturer (the
// archive) to delete what a killed capture left behind.
type leftoverRemover interface {
	RemoveLeftovers(ctx context.Context, grace time.Duration) (archive.Cleanup, error)
}

// removeLeftovers deletes a crash's temporary files and unreferenced
// blobs older than archive.LeftoverGrace. The caller holds the job lock,
// so no other capture is writing them. A failure is logged, not fatal:
// the leftovers only cost disk space, and `linkrot verify` reports them.
func removeLeftovers(ctx context.Context, c Capturer, log *slog.Logger) {
	r, ok := c.(leftoverRemover)
	if !ok {
		return
	}
	cl, err := r.RemoveLeftovers(ctx, archive.LeftoverGrace)
	if err != nil {
		log.Warn("removing the leftovers of an interrupted capture", "err", err)
		return
	}
	if cl.TempFiles+cl.Blobs > 0 {
		log.Info("removed the leftovers of an interrupted capture", "temp_files", cl.TempFiles, "blobs", cl.Blobs, "bytes", cl.Bytes)
	}
}
