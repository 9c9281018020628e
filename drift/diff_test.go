package drift

import (
	"reflect"
	"strings"
	"testing"
)

func TestChanged(t *testing.T) {
	ref := `Bridge repairs approved

By Maren Holt | March 3, 2024 | 1,204 views

The council voted on Tuesday to repair the bridge. It will cost four million. Work starts in June.

Opponents wanted a new crossing. They lost the vote.

Comments (2)
Great news! Finally.
`
	cur := `Bridge repairs approved

By Maren Holt | April 9, 2025 | 9,999 views

The council voted on Tuesday to repair the bridge. It will cost six million. Work starts in June.

Update: the contract was signed on 2 May.

Comments (40)
Terrible decision. Nobody asked us.
`
	c := Changed(ref, cur, 0)
	wantRemoved := []string{"It will cost four million.", "Opponents wanted a new crossing.", "They lost the vote."}
	wantAdded := []string{"It will cost six million.", "Update: the contract was signed on 2 May."}
	if !reflect.DeepEqual(c.Removed, wantRemoved) {
		t.Errorf("Removed = %q, want %q", c.Removed, wantRemoved)
	}
	if !reflect.DeepEqual(c.Added, wantAdded) {
		t.Errorf("Added = %q, want %q", c.Added, wantAdded)
	}
	if c.RemovedWords != 14 || c.AddedWords != 13 || c.MoreRemoved != 0 || c.MoreAdded != 0 {
		t.Errorf("counts = %+v", c)
	}
	// A light edit of the corpus reports nothing removed but its typo.
	base := readCorpus(t, "base-bridge.txt")
	light := Changed(base, addComments(changeCounters(changeDates(withRelated(base, relatedB)))), 0)
	if len(light.Removed) != 0 || len(light.Added) != 0 {
		t.Errorf("light edit reported as changes: %+v", light)
	}
}

func TestChangedLimits(t *testing.T) {
	var ref strings.Builder
	for i := range 30 {
		ref.WriteString("Sentence number " + strings.Repeat("x", i+1) + " is here. ")
	}
	ref.WriteString(strings.Repeat("long ", 200) + "end.")
	c := Changed(ref.String(), "", 5)
	if len(c.Removed) != 5 || c.MoreRemoved != 26 {
		t.Errorf("limit 5: %d listed, %d more; want 5 and 26", len(c.Removed), c.MoreRemoved)
	}
	c = Changed(ref.String(), "", 100)
	last := c.Removed[len(c.Removed)-1]
	if n := len([]rune(last)); n != MaxSentenceRunes || !strings.HasSuffix(last, "…") {
		t.Errorf("long sentence clipped to %d runes: %q", n, last[len(last)-20:])
	}
	if c.RemovedWords != 30*5+201 {
		t.Errorf("RemovedWords = %d", c.RemovedWords)
	}
}

func TestSideBySide(t *testing.T) {
	ref := "Title\n\nUpdated 3 March 2024\n\nFirst paragraph stays.\n\nSecond paragraph goes.\n\nThird stays too.\n\nFourth is rewritten.\n"
	cur := "Title\n\nUpdated 9 April 2025\n\nFirst paragraph stays.\n\nThird stays too.\n\nFourth was rewritten entirely.\n\nA new closing line.\n"
	d := SideBySide(ref, cur, 0)
	want := []Row{
		{OpSame, "Title", "Title", 1, 1},
		{OpSame, "Updated 3 March 2024", "Updated 9 April 2025", 3, 3},
		{OpSame, "First paragraph stays.", "First paragraph stays.", 5, 5},
		{OpRemoved, "Second paragraph goes.", "", 7, 0},
		{OpSame, "Third stays too.", "Third stays too.", 9, 7},
		{OpChanged, "Fourth is rewritten.", "Fourth was rewritten entirely.", 11, 9},
		{OpAdded, "", "A new closing line.", 0, 11},
	}
	if !reflect.DeepEqual(d.Rows, want) || d.Truncated {
		t.Errorf("SideBySide =\n%+v\nwant\n%+v", d.Rows, want)
	}
	if d := SideBySide(ref, cur, 3); len(d.Rows) != 3 || !d.Truncated {
		t.Errorf("maxRows 3: %d rows, truncated %v", len(d.Rows), d.Truncated)
	}
	if d := SideBySide("", "", 0); len(d.Rows) != 0 {
		t.Errorf("empty texts gave rows: %+v", d.Rows)
	}
}

// Past the table bound the middle is still complete: all removed lines
// beside all added ones, none lost.
func TestSideBySideHuge(t *testing.T) {
	var a, b strings.Builder
	for i := range 1500 {
		a.WriteString("left line " + strings.Repeat("a", i%50) + "\n")
		b.WriteString("right line " + strings.Repeat("b", i%50) + "\n")
	}
	d := SideBySide(a.String(), b.String(), 0)
	left, right := 0, 0
	for _, r := range d.Rows {
		if r.Left != "" {
			left++
		}
		if r.Right != "" {
			right++
		}
	}
	if left != 1500 || right != 1500 {
		t.Errorf("huge diff kept %d left and %d right lines, want 1500 each", left, right)
	}
}
