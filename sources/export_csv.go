package sources

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// csvExport says which columns of a bookmark export in CSV hold what.
type csvExport struct {
	what            string // for errors: "Pocket CSV export"
	url, title, dat string // column names
	date            func(string) string
}

// readCSVExport reads a CSV bookmark export: one URL occurrence per row,
// with its title and date.
func readCSVExport(text string, doc *Document, spec csvExport) error {
	lineStarts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			lineStarts = append(lineStarts, i+1)
		}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return structuredDone(text, doc, spec.what, csvError(err))
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	ui, ok := col[spec.url]
	if !ok {
		return structuredDone(text, doc, spec.what, fmt.Errorf("no %q column in the header", spec.url))
	}
	field := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return structuredDone(text, doc, spec.what, csvError(err))
		}
		if ui >= len(rec) || strings.TrimSpace(rec[ui]) == "" {
			continue
		}
		line, column := r.FieldPos(ui)
		start := lineStarts[line-1] + column - 1
		end := start + len(rec[ui])
		if start < len(text) && text[start] == '"' {
			start++
			end = quotedEnd(text, start)
		}
		o, ok := fieldOccurrence(text, start, min(end, len(text)), rec[ui])
		if !ok {
			continue
		}
		o.Title = collapseSpace(field(rec, spec.title))
		o.Date = spec.date(field(rec, spec.dat))
		doc.Occurrences = append(doc.Occurrences, o)
	}
	return structuredDone(text, doc, spec.what, nil)
}

// quotedEnd finds the closing quote of a CSV field whose text starts at i.
func quotedEnd(text string, i int) int {
	for i < len(text) {
		if text[i] == '"' {
			if i+1 < len(text) && text[i+1] == '"' {
				i += 2
				continue
			}
			return i
		}
		i++
	}
	return len(text)
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("CSV error on line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// unixDate turns seconds since 1970 into YYYY-MM-DD.
func unixDate(s string) string {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return ""
	}
	return time.Unix(n, 0).UTC().Format("2006-01-02")
}
