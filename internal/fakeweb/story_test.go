package fakeweb

import (
	"net/http"
	"testing"
)

func TestStoryDiesWhenTakenDown(t *testing.T) {
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Demo()
	cases := w.Story()
	get := func(u string) int {
		t.Helper()
		resp, err := w.Client().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	want := map[string]int{"ok": 200, "redirect": 200, "http_4xx": 0}
	for _, c := range cases {
		code := get(c.URL)
		if w, ok := want[c.Want]; ok && w != 0 && code != w {
			t.Errorf("%s: %d, want %d", c.URL, code, w)
		}
		if c.Want == "http_4xx" && code < 400 {
			t.Errorf("%s: %d, want a 4xx", c.URL, code)
		}
	}
	story := "https://" + StoryHost + StoryPath
	w.TakeDownStory()
	if code := get(story); code != http.StatusNotFound {
		t.Errorf("after TakeDownStory: %d, want 404", code)
	}
}
