package fakeweb

import "net/http"

// StoryHost is the news site of the offline demo's story: an article that
// is alive when linkrot first archives it and taken down later.
const StoryHost = "news.demo.test"

// StoryPath is the article that dies when TakeDownStory is called.
const StoryPath = "/2024/05/city-council-approves-river-park"

// Story registers the demo's story: a small news site whose article is
// alive until TakeDownStory, and returns the cases a document for the
// demo would cite (an alive page, the article, a page already gone with
// public archive copies, a moved page, a 404, and the line-wrapped Moscow
// Times URL that repair fixes). It needs Demo's sites and archive: call
// Demo first.
func (w *Web) Story() []Case {
	news := w.Site(StoryHost)
	news.HTML("/", "City News", "<p>Local news.</p>", StoryPath)
	news.HTML(StoryPath, "City council approves the river park",
		"<p>The city council voted on Tuesday to turn the old river docks into a public park.</p>"+
			"<p>"+sentence(11, 120)+"</p>")
	news.Redirect("/2023/riverside-plans", http.StatusMovedPermanently, "https://"+StoryHost+StoryPath)
	return []Case{
		{URL: "https://" + StoryHost + StoryPath, Want: "ok", Note: "alive at first; TakeDownStory makes it 404"},
		{URL: "https://ok.demo.test/article", Want: "ok", Note: "stays alive"},
		{URL: "http://" + StoryHost + "/2023/riverside-plans", Want: "redirect", Note: "moved for good (301)"},
		{URL: "http://status.demo.test/404", Want: "http_4xx", Note: "already gone"},
		{URL: "https://gone.demo.test/story", Want: "http_4xx", Note: "410, with copies at web.archive.org"},
	}
}

// TakeDownStory makes the story's article answer 404, as if the site had
// removed it.
func (w *Web) TakeDownStory() { w.Site(StoryHost).Kill(StoryPath) }
