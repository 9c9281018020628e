package sources

import (
	"strings"
	"sync"
)

// proseWords are words that begin or carry on a sentence and are very
// unlikely to be the tail of a wrapped URL when they stand alone: "…/news/\nand
// in later reports". Written for linkrot; not taken from any list.
const proseWordList = `a an the and or but nor for so yet of in on at to by from with without as
into onto about after before under over between through during via per than then there here
is are was were be been being am has have had do does did done it its this that these those which
who whom whose what where when while why how if also not no all some any each every more most such
can could would should will may might must shall he she they we you i his her their our your my him
them me one both either neither only just even still again ever never always often already very
see explains explain describes describe shows show says say said lists list provides provide
contains contain includes include gives give offers offer reports notes states suggests claims
argues found accessed retrieved visited viewed archived published posted updated last first next
because although though unless until since whether whereas however therefore thus hence instead
like unlike among against toward towards within upon beyond across along around behind below above
near off out up down`

// wordList is a small hand-written vocabulary of common English words and
// words frequent in news slugs. It decides whether a fragment at a line
// break is a whole word ("academic", "documents") or a piece of one ("ef",
// "stat"). Inflections are handled by stem(), so base forms suffice.
const wordList = `
able about above abuse academic academy accept access accident account accuse achieve acid act
action active activist activity actor actual add address administration admit adopt adult advance
advantage advice advise affair affect afford afraid africa african after afternoon again against age
agency agenda agent aggressive ago agree agreement ahead aid aim air aircraft airline airport
airstrike alarm album alert alive all alliance allow ally almost alone along already also alter
alternative although always amazing ambassador america american among amount analysis analyst
ancient anger angle angry animal announce announcement annual another answer anti anxiety any
anyone anything apart apartment apology appeal appear apple application apply appoint approach
approval approve april arab archive area argue argument arise arm army around arrange arrest arrival
arrive art article artist ask aspect assault assess asset assist assistance associate association
assume attack attempt attend attention attitude attorney attract audience august author authority
auto automatic available average avoid award aware away baby back background bad bag balance ball
ban band bank bar barely base basic basis battle beach bear beat beautiful beauty because become
bed before begin behavior behind belief believe belong below benchmark benefit best better between
beyond bid big bill billion bird birth bit black blame blast blind block blog blood blow blue board
boat body bomb bond book boost border born borrow boss both bottom box boy brain branch brand brave
bread break breaking breath bridge brief bright bring british broad broadcast brother budget build
building burn bus business busy buy cabinet call calm camera camp campaign can cancel cancer
candidate capability capacity capital captain capture car card care career careful carry case cash
cast catch category cause cease ceasefire celebrate cell center central century certain chain chair
chairman challenge champion chance change channel chapter character charge charity chart cheap check
chemical chief child china chinese choice choose church citizen city civil civilian claim class
classic clean clear climate climb clinic clock close cloud club coach coal coast code coffee cold
collapse collect collection college color combat combine come comfort command comment commercial
commission commit committee common communication community company compare compete competition
complain complete complex computer concern concert conclude condition conduct conference confidence
confirm conflict congress connect connection consider constitution construction consumer contact
contain content contest context continue contract contrast contribute control convention
conversation convert convict cook cool cooperate cooperation cope copy core corner corporate correct
cost could council count counter country county couple courage course court cover crack create
creation creative credit crime criminal crisis critic critical criticism crop cross crowd crucial
cry cultural culture cup current custom customer cut cyber cycle daily damage dance danger dangerous
dark data date daughter day dead deadline deal dealer death debate debt decade decide decision
declare decline deep defeat defend defense deficit define degree delay deliver delivery demand
democracy democrat democratic demonstrate deny department depend deploy deputy describe desert
design desire desk despite destroy detail detect determine develop development device die diet
difference different difficult digital dinner diplomat diplomatic direct direction director dirty
discover discuss discussion disease dismiss display dispute distance distribute district divide
doctor document dog dollar domestic door double doubt down draft drama draw dream dress drink drive
driver drop drug dry due during duty each eager early earn earth ease east eastern easy eat economic
economy edge edition editor education effect effective effort egg eight either elect election
electric element eleven else email embassy emerge emergency emotion employ employee empty enable
encounter encourage end enemy energy enforce engage engine engineer enjoy enough ensure enter entire
entry environment episode equal equipment era error escape especially essay establish estate
estimate europe european evaluate evaluation even evening event eventually ever every evidence evil
exact exam examine example except exchange excite executive exercise exist exit expand expect
expense experience expert explain explode explore explosion export expose express extend extent
external extra extract extraction extreme eye face facility fact factor factory fail fair faith fall
false fame family famous fan far farm fashion fast fat father fault favor fear feature february fee
federal feed feel female fence few field fight fighter figure file fill film final finance find
fine finger finish fire firm first fish fit five fix flag flat flee flight float flood floor flow
fly focus folk follow food foot force foreign forest forget form formal format former fort fortune
forward found foundation four frame framework free freedom french frequent fresh friday friend front
fuel full fun function fund future gain game gap garden gas gate gather general generate generation
gentle german germany get giant gift girl give glad glass global goal god gold good govern
government governor grade grand grant great green ground group grow growth guard guess guest guide
guilty gun guy habit hair half hall hand handle hang happen happy hard harm head health hear heart
heat heavy height hell help hero hidden hide high highlight hill hire historic history hit hold hole
holiday home honest hope horse hospital host hostage hot hotel hour house housing huge human humor
hundred hunger hunt hurt husband idea identify identity ignore ill image imagine immediate
immigrant immigration impact implement import important impose improve incident include income
increase independent index indicate individual industry inform information initial injury inner
innocent inquiry inside insist inspect install instance instead institute institution insurance
intelligence intend intense interest interior internal international internet interview introduce
invade invasion invest investigate investigation investment invite involve iran iraq islam islamic
island issue item jail january job join joint journal journalist journey judge july jump june
jury just justice keep key kick kid kill killer kind king kitchen knife know knowledge labor lack
lady land language large last late later latest laugh launch law lawyer lay lead leader leadership
league leak learn least leave left leg legal legislation less lesson let letter level liberal
library license lie life lift light like likely limit line link list listen little live loan local
location lock long look lose loss lot loud love low lower luck lunch machine mad magazine mail main
maintain major majority make male man manage management manager manner many map march margin mark
market marriage marry mass master match material matter maximum may mayor meal mean measure meat
media medical medicine meet meeting member memory mental mention menu merely message metal method
middle might military milk million mind minister ministry minor minute miss missile mission mistake
mix mobile model modern moment monday money monitor month mood moral more morning most mother motion
motor mountain mouth move movement movie much multi murder muscle museum music must mutual name
narrow nation national native natural nature navy near nearly necessary neck need negotiate
negotiation neighbor neither nerve net network never new news newspaper next nice night nine noble
nobody noise none normal north northern note nothing notice novel november now nuclear number nurse
object observe obtain obvious occasion occupy occur ocean october odd offer office officer official
often oil okay old online only open operate operation opinion opponent opportunity oppose
opposition option orange order ordinary organ organization organize origin original other outcome
outside over own owner pace pack package page pain paint pair palace panel paper parent park
parliament part participate particular partner party pass passenger passport past path patient
pattern pause pay peace peak people percent perfect perform performance perhaps period permanent
permit person personal phase phone photo phrase physical pick picture piece pilot pipe place plan
plane planet plant plastic plate platform play player plead please pleasure plenty plot plus pocket
poem poet point police policy political politician politics poll pool poor pop popular population
port portion position positive possible post potential pound poverty power practice praise pray
predict prefer prepare presence present preserve president press pressure pretty prevent previous
price pride priest primary prime prince principal principle print prior prison prisoner private
prize probably problem procedure proceed process produce product production profession professor
profile profit program progress project promise promote proof proper property proposal propose
prosecutor protect protection protest proud prove provide province public publish pull punish
purchase pure purpose push put quality quarter queen question quick quiet quit quite quote race
racial radical radio raid rain raise range rank rapid rare rate rather reach react reaction read
ready real reality realize really reason rebel recall receive recent recognize record recover red
reduce reform refugee refuse regard regime region regional register regular regulation reject
relate relation relationship release relief religion religious rely remain remark remember remind
remote remove rent repair repeat replace reply report represent republic republican request require
rescue research resident resign resist resolution resolve resource respect respond response rest
restaurant restore result retain retire return reveal revenue review revolution reward rich ride
right ring rise risk rival river road rock role roll roof room root rope rough round route row royal
rule ruling run rural rush russia russian sad safe safety sail salary sale same sample sanction
satellite saturday save say scale scandal scene schedule scheme school science score screen sea
search season seat second secret secretary section sector secure security seek seem seize select
sell senate senator send senior sense sentence separate september series serious serve service
session set settle settlement seven several severe sex shadow shake shape share sharp shelter shift
shine ship shock shoe shoot shop short shot should shoulder shout show shut sick side sight sign
signal significant silence silent silver similar simple since sing single sister sit site situation
six size skill skin sky sleep slide slow small smart smile smoke snow social society soft software
soil soldier solid solution solve some somebody someone something sometimes son song soon sorry sort
soul sound source south southern space speak speaker special speech speed spend spirit split sport
spot spread spring spy square staff stage stake stand standard star start state statement station
status stay steal step stick still stock stone stop storage store storm story straight strange
strategy stream street strength stress stretch strike string strong structure struggle student
studio study stuff style subject submit success successful sudden suffer sugar suggest suicide suit
summer summit sun sunday supply support suppose supreme sure surface surprise surround survey
survive suspect suspend sweet swim switch symbol syria syrian system table tactic take talk tank
target task tax teach teacher team tear technical technique technology teen telephone television
tell temperature temporary ten tend tension term terror terrorism terrorist test text thank theater
theme theory thick thin thing think third thought thousand threat threaten three throw thursday
ticket tie tight time tiny tip tired title today together tomorrow tone tonight too tool top topic
total touch tough tour tourist toward tower town track trade tradition traffic train transfer
transition transport travel treat treatment treaty tree trend trial trip troop trouble truck true
trust truth try tuesday turn twelve twenty twice two type typical ukraine ukrainian uncle under
understand union unique unit united universe university unknown until unusual update upon upper
urban urge use useful user usual vacation valley valuable value variety various vast vehicle
version veteran victim victory video view village violence violent virus visa visit visitor voice
volume vote voter vulnerability vulnerable wage wait wake walk wall want war warm warn warning wash
waste watch water wave way weak wealth weapon wear weather web website wednesday week weekend weight
welcome welfare well west western wet what wheel whether which while white whole why wide widely
wife wild will win wind window wine wing winner winter wire wise wish with withdraw within without
witness woman wonder wood word work worker world worry worth would wound write writer wrong yard
year yellow yes yesterday yet young youth zone
accessible adoption airport algorithm analytics android annotation app arabic architecture
argument assessment automation backend bandwidth binary blockchain bookmark browser buffer bug
cache calendar certificate chart chat checker cloud cluster command compiler component compute
config connector console container cookie crawler dashboard database dataset debug default
deployment desktop developer diagram dictionary directory disk docker domain download driver
editor encoding encryption engine extension feedback filter firmware folder font forum gallery
gateway github guideline hardware header homepage icon inbox input interface kernel keyboard
keyword laptop layer layout linux log login mailbox manual markdown memo mirror module monitor
network node notebook notification offline parser password patch pdf plugin portal preview
privacy processor protocol proxy query queue reader readme registry release repository resolver
router runtime scanner script server setting setup snapshot socket spam spreadsheet stack storage
stream subscription sync tab tag template terminal thread timeline token toolkit tracker tutorial
upload username utility validator vendor viewer virtual widget window wizard workflow workshop
guidance procedure styleguide communication office offices benchmark tool multi domain paper
details detail task overview catalog catalogue known exploited adds
lawmaker crackdown breakthrough stronghold counterterrorism peacekeeping peacekeeper warplane
gunman gunmen bloodshed frontline headquarters hometown homeland landmark lifetime mainstream
newsroom nationwide overseas outbreak lockdown pandemic vaccine vaccination coronavirus
healthcare wildfire earthquake hurricane flooding drought heatwave smartphone cyberattack
ransomware malware bitcoin cryptocurrency shutdown takeover turnout upheaval uprising
withdrawal wartime worldwide yearly weekly monthly airspace airbase battlefield borderline
checkpoint crossroads downtown highway railway roadmap seaside sidewalk skyline waterfront
whistleblower wrongdoing ceasefire offensive militant militia insurgent insurgency jihadist
extremist extremism caliphate sectarian sunni shiite kurdish turkish israeli palestinian
lebanese egyptian saudi iranian iraqi afghan pakistani indian korean japanese british
french italian spanish polish dutch swedish norwegian finnish danish greek hungarian romanian
bulgarian serbian croatian czech slovak austrian swiss belgian irish scottish welsh canadian
mexican brazilian argentine chilean african asian arabian atlantic pacific mediterranean
baltic arctic nordic soviet kremlin nato parliamentary presidential ministerial congressional
electoral legislative judicial constitutional bilateral multilateral humanitarian nonprofit
accountability accuracy acquisition activism adjustment administrator adviser advocate
aftermath agricultural allegation allocation amendment ammunition analyse analyze anniversary
appearance appointment approximately arbitrary arrangement assassination assembly assumption
atmosphere attendance audit awareness bankruptcy beneficial biological border boycott
broadband bureaucracy calculation capitalism casualty cathedral celebration censorship
ceremony certainty championship characteristic chemistry circumstance civilization clarity
coalition cognitive collaboration colleague colonial combination comfortable commander
commitment commodity comparison compensation competitive complaint compliance comprehensive
compromise concentration conception concession conclusion confrontation confusion congratulate
conscious consensus consequence conservation conservative considerable consistent conspiracy
constant consultation consumption contemporary controversy convenient conviction coordinate
coordination corporation correspondent corruption counsel counterpart coverage crackdown
credibility criteria critique curriculum custody dealing decent declaration dedicated
deficiency delegate delegation deliberate demonstration demographic deportation deposit
deputy designer destination destruction detention deterrence devastating diagnosis dialogue
dignity dilemma dimension diplomacy disability disaster disclosure discount discrimination
displacement disruption distinction distribution diversity doctrine donation dynamic
economist ecosystem effectively efficiency elaborate elderly electricity elimination embargo
emission emphasis empire employment encouragement endorsement enforcement enormous enterprise
entertainment enthusiasm entrepreneur equality equivalent escalation essential ethnic
evacuation exception excessive exclusive execution exhibition expansion expectation
expedition explanation exploitation exposure extension extraordinary facilitate faculty
federation fellowship fiction filter fiscal flexibility forecast formation foundation fraction
fragment fraud frequency frustration fundamental funding furthermore genocide genuine
geography gesture governance gradual graduate guarantee guideline harassment hardware
harmony headline heritage hierarchy highlight hostile hostility household hypothesis
ideology illegal illusion illustration immune implication impossible impression inadequate
incentive inclusion incorporate indication indigenous inequality infection inflation
infrastructure initiative injection injustice innovation inspection inspiration installation
integration integrity intellectual intention interaction interference intermediate
interpretation intervention invention inventory isolation jurisdiction justification
landscape lawsuit legacy legislature legitimate liability liberation literacy literature
litigation logistics loyalty magnitude maintenance manifesto manufacturer maritime mechanism
mediation membership merchant migration milestone minimum minority misconduct mobility
mobilization moderate modification momentum monopoly mortality motivation municipal narrative
negligence neutral nominee notable nutrition objective obligation occupation offender
opposite optimism orientation outlook ownership parallel participant partnership penalty
pension perception permission persecution perspective petition phenomenon philosophy
pipeline pledge plurality pollution portfolio precedent precise preliminary premier
prescription presidency prevention privilege probability proceeding proclamation
productivity prohibition proliferation prominent propaganda proportion prosecution
prospect prosperity protocol provision provocation publication qualification quota
ratification rational realistic recession recognition recommendation reconciliation
reconstruction recovery recruitment referendum reflection regulator rehabilitation
reinforcement rejection relevant reliable reluctant remedy renewable replacement
representation representative reputation requirement reservation residence resistance
restriction retaliation retirement revelation rhetoric sanctuary scholarship scrutiny
segment sensitive sentiment sequence shortage simulation skeptical solidarity sovereignty
specification spectrum speculation spokesman spokesperson spokeswoman stability stakeholder
statistics stimulus strategic subsidy substantial succession sufficient supervision
surveillance suspension sustainable symptom sympathy tariff taxpayer telecommunication
territory testimony theft threshold tolerance tourism transaction transformation
transparency tribunal turmoil unemployment uniform unprecedented utilization validity
verdict verification violation volunteer warfare withdraw yield`

var (
	wordsOnce    sync.Once
	dictionary   map[string]bool
	proseWordSet map[string]bool
)

func loadWords() {
	wordsOnce.Do(func() {
		dictionary = setOf(wordList)
		proseWordSet = setOf(proseWordList)
		for w := range proseWordSet {
			dictionary[w] = true
		}
	})
}

// isWord reports whether the lowercase ASCII word w is an English word,
// allowing common inflections of the listed base forms.
func isWord(w string) bool {
	if len(w) < 2 {
		return false
	}
	loadWords()
	if dictionary[w] {
		return true
	}
	for _, sfx := range inflections {
		if len(w) > len(sfx.cut)+2 && strings.HasSuffix(w, sfx.cut) {
			base := w[:len(w)-len(sfx.cut)] + sfx.add
			if dictionary[base] {
				return true
			}
		}
	}
	return false
}

var inflections = []struct{ cut, add string }{
	{"s", ""}, {"es", ""}, {"ies", "y"}, {"ed", ""}, {"ed", "e"}, {"ied", "y"},
	{"ing", ""}, {"ing", "e"}, {"er", ""}, {"er", "e"}, {"ers", ""}, {"ers", "e"},
	{"ly", ""}, {"ally", ""}, {"ally", "al"}, {"ion", "e"}, {"ions", "e"}, {"al", ""},
	{"ment", ""}, {"ments", ""}, {"ness", ""}, {"ity", ""}, {"ist", ""}, {"ists", ""},
	{"ism", ""}, {"ive", "e"}, {"ful", ""}, {"less", ""}, {"est", ""}, {"ier", "y"},
}

// isProseWord reports whether w (lowercase) is a word that starts or carries
// a sentence ("and", "for", "explains").
func isProseWord(w string) bool {
	loadWords()
	return proseWordSet[w]
}
