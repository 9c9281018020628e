package ingest

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkrot/linkrot/store"
)

// TestAddStopsOnCancelKeepingFinishedDocuments cancels Add after its first
// document (as SIGINT does through the command's context): the first
// document's links are in the catalog, the rest are not, and Add reports
// the cancellation.
func TestAddStopsOnCancelKeepingFinishedDocuments(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.txt"), "A\n\nhttps://first.example.org/kept\n")
	write(t, filepath.Join(dir, "b.txt"), "B\n\nhttps://second.example.org/never\n")
	write(t, filepath.Join(dir, "c.txt"), "C\n\nhttps://third.example.org/never\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Add(ctx, st, []string{dir}, Options{Progress: func(string, Outcome) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Add after cancel: err %v, want context.Canceled", err)
	}
	got := links(t, st, store.LinkFilter{})
	if _, ok := got["https://first.example.org/kept"]; !ok || len(got) != 1 {
		t.Fatalf("catalog after cancel: %v, want only the first document's link", got)
	}
}

// TestAddStopsInsideALongDocument cancels while one large document is being
// extracted: Add returns the cancellation and stores nothing half-read.
func TestAddStopsInsideALongDocument(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	var sb strings.Builder
	for sb.Len() < 4<<20 {
		sb.WriteString("https://big.example.org/page/item ")
	}
	write(t, filepath.Join(dir, "big.txt"), sb.String())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Add(ctx, st, []string{dir}, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if got := links(t, st, store.LinkFilter{}); len(got) != 0 {
		t.Fatalf("stored %d links from a cancelled document", len(got))
	}
}

// TestAddLeavesCodeOut checks that a URL in Markdown code is not put in the
// catalog, while the prose's URL is.
func TestAddLeavesCodeOut(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "n.md"), "# N\n\nRun `curl https://api.example.com/v1` or read https://docs.example.com/guide\n\n```\nhttps://fence.example.com/x\n```\n")
	if _, err := Add(context.Background(), st, []string{dir}, Options{}); err != nil {
		t.Fatal(err)
	}
	got := links(t, st, store.LinkFilter{})
	if _, ok := got["https://docs.example.com/guide"]; !ok || len(got) != 1 {
		t.Fatalf("catalog: %v, want only the prose link", got)
	}
}

// TestAddStoresFetchableForm checks that a URL written with a stray '%'
// (shown as written by extract) is stored in the form a client requests.
func TestAddStoresFetchableForm(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "p.txt"), "P\n\nsee https://stats.example.org/share/100%/total now\n")
	if _, err := Add(context.Background(), st, []string{dir}, Options{}); err != nil {
		t.Fatal(err)
	}
	got := links(t, st, store.LinkFilter{})
	if _, ok := got["https://stats.example.org/share/100%25/total"]; !ok || len(got) != 1 {
		t.Fatalf("catalog: %v, want the %%25 form", got)
	}
}
