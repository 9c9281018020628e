package sources

import "strings"

// Top-level domains accepted for scheme-less host names. Country codes are
// the ISO 3166 two-letter codes in use as TLDs; the generic ones are those
// seen often in documents. A URL with a scheme or "www." is not limited to
// this list.
const ccTLDs = `ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj
bm bn bo br bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz
ec ee eg er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn
hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr
ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl
no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si
sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy
uz va vc ve vg vi vn vu wf ws ye yt za zm zw`

const genericTLDs = `com org net edu gov mil int info biz name pro mobi asia tel travel jobs museum
aero coop cat post app dev page blog news online site website tech store shop xyz top club live life
world today space cloud media agency digital email group network systems solutions services center
company global academy institute foundation church law press review wiki social video radio games
fun one link click help host zone works tools software energy city london nyc berlin paris tokyo
africa bio eco earth science technology security support report guide events education school
university college community ngo ong art design studio photo photography film music events capital
finance money bank insurance health care clinic fitness green ltd inc llc gmbh moe ninja
rocks social team tips training vision watch win work xn--p1ai swiss scot wales eus gal quebec`

var tldSet = func() map[string]bool {
	m := make(map[string]bool, 400)
	for _, t := range strings.Fields(ccTLDs + " " + genericTLDs) {
		m[t] = true
	}
	return m
}()

func knownTLD(t string) bool { return tldSet[t] }

// TLDs that are also common file extensions: README.md, setup.py, run.sh,
// notes.pl, lib.rs, photo.ai, main.tf.
var fileLikeTLDs = setOf(`md py sh pl rs cc so ps pm ml sc mk in am ai tf sy st is do it to js ts rb go cs`)

// File stems that with such an extension name a file, not a site.
var fileStems = setOf(`readme setup main index config changelog license contributing install makefile
test tests utils util app build run init manage settings models views urls docs notes todo package
server client script scripts deploy start example sample hello foo bar lib mod core common helpers
conftest requirements version about news data api cli tasks`)

// File extensions that end a URL path; after one of them a line break is
// unlikely to be a wrap.
var fileExts = setOf(`html htm shtml xhtml php asp aspx jsp cgi pl py txt pdf doc docx xls xlsx ppt pptx
odt ods csv json xml rss atom jpg jpeg png gif svg webp mp3 mp4 avi mov zip gz tgz bz2 xz tar rar
7z exe msi dmg iso apk md rst tex bib epub mobi wav ogg flac ico css js`)

func setOf(words string) map[string]bool {
	f := strings.Fields(words)
	m := make(map[string]bool, len(f))
	for _, w := range f {
		m[w] = true
	}
	return m
}
