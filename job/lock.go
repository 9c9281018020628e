package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/linkrot/linkrot/store"
)

// LockName is the catalog lock that keeps check, run and serve exclusive.
const LockName = "job"

// lockStale is how old a holder's heartbeat must be before another process
// takes the lock over; heartbeats come every lockStale/4.
const lockStale = 2 * time.Minute

// ErrJobRunning is returned (wrapped, naming the holder) when another
// process holds the job lock; a scheduler skips its run on it.
var ErrJobRunning = errors.New("another linkrot job is running")

// defaultOwner names this process as a lock holder: pid@host, which lets
// Lock tell a dead holder on this machine from a live one.
func defaultOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%d@%s", os.Getpid(), host)
}

// Lock takes the job lock and keeps it alive until release is called. A
// lock held by a live process is an error that names it.
func Lock(ctx context.Context, cat Catalog, owner string, now func() time.Time, log *slog.Logger) (release func(), err error) {
	o := Options{Owner: owner, Now: now, Logger: log}
	o.defaults()
	owner, now, log = o.Owner, o.Now, o.Logger
	err = cat.AcquireLock(ctx, LockName, owner, now(), lockStale)
	var held *store.LockHeldError
	if errors.As(err, &held) && ownerGone(held.Owner) {
		// The holder ran on this machine and has died (SIGKILL, a crash):
		// no need to wait for its heartbeat to age.
		log.Warn("taking over the job lock of a process that no longer exists", "owner", held.Owner)
		err = cat.AcquireLock(ctx, LockName, owner, now(), time.Nanosecond)
	}
	if err != nil {
		if errors.As(err, &held) {
			return nil, fmt.Errorf("%w (%s, since %s); wait for it to finish or stop it", ErrJobRunning,
				held.Owner, held.Since.Local().Format(time.DateTime))
		}
		return nil, err
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(lockStale / 4)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if err := cat.Heartbeat(context.WithoutCancel(ctx), LockName, owner, now()); err != nil {
					log.Error("job lock heartbeat failed", "err", err)
				}
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		if err := cat.ReleaseLock(context.WithoutCancel(ctx), LockName, owner); err != nil {
			log.Error("releasing the job lock", "err", err)
		}
	}, nil
}

// ownerGone reports whether a lock owner "pid@host" names a process on this
// host that no longer exists. Owners from other hosts are never presumed
// dead here; their heartbeat decides.
func ownerGone(owner string) bool {
	pidText, host, ok := strings.Cut(owner, "@")
	me, _ := os.Hostname()
	if !ok || host != me {
		return false
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
