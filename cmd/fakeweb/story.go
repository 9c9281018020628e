package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/linkrot/linkrot/internal/fakeweb"
)

// startStory registers the offline demo's story (fakeweb.Story), writes
// its URLs to path, one per line, and takes the story's article down when
// the process gets SIGUSR1, so a script can make a link die between two
// runs: kill -USR1 PID.
func startStory(ctx context.Context, w *fakeweb.Web, demo bool, path string, out io.Writer) error {
	if !demo {
		return errors.New("-story-out needs -demo (the story cites demo sites)")
	}
	var urls []string
	for _, c := range w.Story() {
		urls = append(urls, c.URL)
	}
	if err := writeFile(path, strings.Join(urls, "\n")+"\n"); err != nil {
		return err
	}
	fmt.Fprintf(out, "fakeweb: story URLs written to %s; SIGUSR1 takes %s%s down\n", path, fakeweb.StoryHost, fakeweb.StoryPath)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		defer signal.Stop(sig)
		for {
			select {
			case <-sig:
				w.TakeDownStory()
				fmt.Fprintf(out, "fakeweb: story taken down: https://%s%s now answers 404\n", fakeweb.StoryHost, fakeweb.StoryPath)
			case <-ctx.Done():
				return
			}
		}
	}()
	return nil
}
