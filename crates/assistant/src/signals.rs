//! What one message says, read with word classes and patterns over folded text (lowercase,
//! no accents). English first, with the common phrasings in Spanish, French, German,
//! Portuguese, Italian and Dutch for requests for a person, billing and breakage.
//!
//! Every pattern is a class of phrasings ("a contact verb, then within eight words a word for
//! a person"), never a stored sentence, so that new wordings are recognised too.

use crate::text::{clauses, fold, strip_quotes, words};
use regex::Regex;
use std::sync::LazyLock;
use vader_parity::SentimentIntensityAnalyzer;

macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(concat!("(?x)", $pat)).expect(stringify!($name)));
    };
}

static VADER: LazyLock<SentimentIntensityAnalyzer> = LazyLock::new(SentimentIntensityAnalyzer::new);

/// VADER compound score of a text, −1..1.
pub(crate) fn compound(text: &str) -> f64 {
    VADER.polarity_scores(text).compound
}

// ---------------------------------------------------------------------------------------------
// Requests for a person
// ---------------------------------------------------------------------------------------------

// Words for a person who could take over. Weak ones ("people", "anyone") count only after a
// contact verb ("talk to anyone"), never after "want"/"get" ("get people to join").
re!(
    PERSON,
    r"\b(?:
    human(?:s|\s+beings?)?|humain(?:e|s)?|humanos?|umano|menschen|mensch|menschlichen|mens|
    (?:real|actual|live|living|proper)\s+(?:person|people|one|human|agent|someone|somebody|support\s+person)|
    persons?|people|persona|personne|pessoa|persoon|
    agents?|agente|representatives?|reps?|representante|operators?|operadora?|operateur|operatrice|operatore|
    someone|somebody|anyone|anybody|alguien|alguem|quelqu'un|jemand(?:em|en)?|qualcuno|iemand|
    staff(?:\s+members?)?|employees?|empleado|colleagues?|managers?|supervisors?|technicians?|technicien|
    specialists?|engineers?|team\s+members?|consultants?|advis[eo]rs?|asesora?|conseill(?:er|ere)|
    berater(?:in)?|mitarbeiter(?:in)?|medewerker|atendente|ansprechpartner|
    customer\s+(?:service|care|support)|atencion\s+al\s+cliente|service\s+client(?:s|ele)?|
    kundenservice|kundendienst|atendimento(?:\s+humano)?|assistenza|
    (?:tech(?:nical)?\s+)?support(?:\s+(?:team|staff|person|people|agent|engineer|department|desk))?|soporte|suporte|
    sales(?:\s+team)?|(?:billing|sales|accounts?|finance)\s+(?:department|team)|
    your\s+(?:team|staff|people|colleagues)
)\b"
);

// Verbs of reaching someone. The English ones marked by ME_VERBS need "me"/"us" after them
// ("transfer me to"), so "transfer a conversation to another person" is not a request.
re!(
    CONTACT_VERB,
    r"\b(?:
    talk(?:ing)?|speak(?:ing)?|chat(?:ting)?|reach|contact|call|escalat\w*|connect|transfer|put|pass|
    hand|forward|redirect|get|bring|send|
    hablar|comunicar(?:me)?|comunicame|contactar|pasame|pasarme|pasenme|transfiereme|transferirme|
    conectarme|conectame|parler|discuter|contacter|joindre|passer|passez|transferer|mettre|mettez|
    echanger|sprechen|reden|verbinden|weiterleiten|kontaktieren|erreichen|chatten|falar|conversar|
    contatar|transferir|passar|atender|parlare|contattare|passarmi|spreken|praten
)\b"
);

// Verbs of wanting: "I need a human", "je veux un conseiller".
re!(
    WANT_VERB,
    r"\b(?:
    want(?:ed|s)?|need(?:ed|s)?|prefer(?:red)?|like|appreciate|require|request(?:ing)?|ask(?:ing)?\s+for|
    (?:can|could|may)\s+(?:i|we)\s+(?:please\s+)?have|avoir|tener|ter|
    looking\s+for|give\s+me|
    quiero|quisiera|necesito|preferiria|veux|voudrais|souhaite|souhaiterais|besoin|
    mochte|brauche|hatte\s+gern|wurde\s+gern|quero|gostaria|preciso|voglio|vorrei|wil|graag
)\b"
);

// "is there someone", "are there any humans", "is anyone there".
re!(
    AVAILABILITY,
    r"\b(?:is|are)\s+(?:there\s+)?(?:an?\s+|any\s+)?(?:actual\s+|real\s+|live\s+)?
    (?:anyone|anybody|someone|somebody|humans?|persons?|people|agents?|representatives?)\s+(\w+)"
);
re!(
    SOMEONE_WHO,
    r"\b(?:anyone|anybody|someone|somebody)\s+(?:there|here|around|real|alive|available|
    (?:who|that)\s+(?:knows|can|could|understands|is\s+able)|on\s+your\s+(?:side|end)|(?:at|from|in)\s+your)\b"
);
re!(
    AVAILABILITY_INTL,
    r"\b(?:hay\s+(?:alguien|alguna\s+persona|un\s+agente)|il\s+y\s+a\s+quelqu'un|gibt\s+es\s+(?:jemanden|einen\s+menschen)|
    (?:tem|ha)\s+alguem|c'e\s+qualcuno|is\s+er\s+iemand)\b"
);
re!(
    CALLBACK,
    r"\b(?:(?:call|ring|phone)\s+(?:me|us)(?:\s+back)?|call\s*back|can\s+i\s+call\s+(?:you|someone|your))\b"
);
re!(
    TICKET,
    r"\b(?:open|create|file|raise|submit|log)\s+(?:a\s+|an\s+)?(?:support\s+|new\s+)?(?:ticket|case)\b"
);
// "who can I talk to about a partnership?"
re!(
    WHO_TO_ASK,
    r"\bwho\s+(?:can|could|should|do|would|may)\s+(?:i|we)\s+(?:talk|speak|contact|reach|call|write|chat|get\s+in\s+touch)"
);
// A how-to about a channel ("how do I contact support by email?"): the user wants an
// address, not a hand-over.
re!(
    CHANNEL,
    r"\b(?:by|via|through|per)\s+(?:e-?mail|mail|post|letter|form|twitter|whatsapp)\b|\b(?:e-?mail|postal)\s+address\b"
);
re!(
    ESCALATE,
    r"\bescalat\w*\s+(?:this|it|my|me|the\s+(?:issue|case|ticket|problem))\b"
);
// "can a human help me", "can a support engineer take a look".
re!(
    PERSON_HELPS,
    r"^\s*(?:help|assist|look|take\s+a\s+look|check|call|walk|explain|sort|fix|handle)\b"
);

// Words after a person-word that make it a thing, not a person ("person field", "agent roles").
const THING_AFTER: &[&str] = &[
    "field",
    "fields",
    "column",
    "role",
    "roles",
    "seat",
    "seats",
    "list",
    "record",
    "records",
    "button",
    "mode",
    "view",
    "tab",
    "permission",
    "permissions",
    "account",
    "accounts",
    "resources",
    "picker",
    "filter",
    "tag",
    "tags",
    "profile",
    "profiles",
    "type",
    "status",
    "limit",
    "count",
    "name",
    "names",
    "page",
    "id",
    "api",
    "plan",
    "plans",
    "license",
    "queue",
    "routing",
    "settings",
    "assignment",
    "inbox",
    "dashboard",
    "portal",
    "widget",
    "app",
    "else",
    "hours",
    "email",
    "emails",
    "address",
    "for",
    "pagination",
    "feature",
    "features",
    "channel",
];
// Words before a person-word that make it the user's own people ("my agents", "another person").
const OWNER_BEFORE: &[&str] = &[
    "my",
    "our",
    "their",
    "his",
    "her",
    "another",
    "other",
    "each",
    "every",
    "which",
    "what",
    "mi",
    "mis",
    "nuestro",
    "nuestros",
    "mon",
    "ma",
    "mes",
    "notre",
    "nos",
    "mein",
    "meine",
    "meinen",
    "unser",
    "unsere",
    "meu",
    "minha",
    "nosso",
    "nossa",
    "same",
    "specific",
    // Quantities: "can I have three agents", "plusieurs agents".
    "multiple",
    "several",
    "more",
    "many",
    "additional",
    "extra",
    "two",
    "three",
    "four",
    "five",
    "plusieurs",
    "varios",
    "varias",
    "mehrere",
    "vários",
    "varios",
    "unlimited",
];
// Someone other than the user doing the reaching ("our customers reach a live agent").
const THIRD_PARTY: &[&str] = &[
    "customers",
    "customer",
    "clients",
    "client",
    "users",
    "visitors",
    "members",
    "they",
    "them",
    "agents",
    "employees",
    "teammates",
    "colleagues",
    "he",
    "she",
    "manager",
    "team",
    "people",
];
/// The user's own customers, who may reach people through the product.
const CUSTOMERS: &[&str] = &[
    "customers",
    "customer",
    "clients",
    "client",
    "users",
    "visitors",
    "contacts",
    "leads",
];
const ME_VERBS: &[&str] = &[
    "connect", "transfer", "put", "pass", "hand", "forward", "redirect", "bring", "send",
];
const VERB_LAST: &[&str] = &[
    "sprechen",
    "reden",
    "chatten",
    "telefonieren",
    "verbinden",
    "kontaktieren",
    "erreichen",
    "spreken",
    "praten",
    "bellen",
];
const WEAK_PERSON: &[&str] = &["people", "persons", "anyone", "anybody", "support"];

/// Negation cues: English "can't"/"cannot" are left out on purpose ("why can't I talk to a
/// human" is a request).
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "without",
    "nor",
    "neither",
    "don't",
    "dont",
    "doesn't",
    "doesnt",
    "didn't",
    "didnt",
    "isn't",
    "aren't",
    "wasn't",
    "wouldn't",
    "shouldn't",
    "needn't",
    "nunca",
    "sin",
    "ni",
    "tampoco",
    "ne",
    "n'ai",
    "n'est",
    "pas",
    "jamais",
    "sans",
    "aucun",
    "nicht",
    "kein",
    "keine",
    "keinen",
    "keinem",
    "keiner",
    "ohne",
    "nie",
    "niemals",
    "nao",
    "sem",
    "nem",
    "non",
    "senza",
    "mai",
    "niet",
    "geen",
    "zonder",
    "nooit",
];

fn is_negation(w: &str) -> bool {
    NEGATIONS.contains(&w) || (w.starts_with("n'") && w.len() > 2)
}

/// True when one of the words is a negation that is not rhetorical ("why don't you").
fn negated(ws: &[&str]) -> bool {
    ws.iter()
        .enumerate()
        .any(|(i, w)| is_negation(w) && !(i > 0 && ws[i - 1] == "why"))
}

/// The last `n` words of a text.
fn last_words(s: &str, n: usize) -> Vec<&str> {
    let ws = words(s);
    let k = ws.len().saturating_sub(n);
    ws[k..].to_vec()
}

/// Looks for a request for a person in one clause (folded, quotes removed).
/// Returns Some(true) for a request, Some(false) for a negated one, None for neither.
fn clause_request(clause: &str, whole_message_words: usize) -> Option<bool> {
    if QUESTION_OPENER.is_match(clause) && CHANNEL.is_match(clause) {
        return None;
    }
    let mut found: Option<bool> = None;
    let mut note = |negative: bool| {
        found = Some(match found {
            Some(true) => true,
            _ => !negative,
        });
    };
    for m in PERSON.find_iter(clause) {
        let person = m.as_str();
        let before = &clause[..m.start()];
        let after = &clause[m.end()..];
        let next = words(after).first().copied().unwrap_or("");
        let prev = words(before).last().copied().unwrap_or("");
        if THING_AFTER.contains(&next) || OWNER_BEFORE.contains(&prev) {
            continue;
        }
        let after_ws = words(after);
        if after_ws.len() >= 3
            && matches!(after_ws[0], "on" | "in" | "of" | "from")
            && matches!(after_ws[1], "my" | "our" | "their")
            && matches!(after_ws[2], "team" | "staff" | "side" | "company")
        {
            continue;
        }
        let weak = WEAK_PERSON.contains(&person);
        // A contact or want verb within eight words before the person-word.
        let window: Vec<&str> = last_words(before, 8);
        let window_text = window.join(" ");
        let verb = CONTACT_VERB
            .find_iter(&window_text)
            .last()
            .map(|v| (v, true))
            .into_iter()
            .chain(WANT_VERB.find_iter(&window_text).last().map(|v| (v, false)))
            .max_by_key(|(v, _)| v.start());
        if let Some((v, contact)) = verb {
            let vw = v.as_str();
            let between = words(&window_text[v.end()..]);
            let ok = if contact {
                if ME_VERBS.contains(&vw) {
                    between
                        .iter()
                        .any(|w| matches!(*w, "me" | "us" | "myself" | "through"))
                } else if vw == "get" {
                    between.iter().any(|w| matches!(*w, "me" | "us")) || !weak
                } else {
                    true
                }
            } else {
                !weak
            };
            let subject = words(&clause[..clause.len() - after.len() - person.len()]);
            let vpos = subject.len().saturating_sub(between.len() + 1);
            let third = subject[..vpos.min(subject.len())]
                .iter()
                .any(|w| THIRD_PARTY.contains(w));
            if ok && !third {
                let before_verb = {
                    let upto = &subject[..vpos.min(subject.len())];
                    upto[upto.len().saturating_sub(5)..].to_vec()
                };
                let neg = negated(&before_verb) || negated(&between);
                note(neg);
                continue;
            }
        }
        // "can a human help me …"
        let pw = words(before);
        if pw.len() >= 2
            && matches!(pw[pw.len() - 1], "a" | "an" | "some" | "one")
            && matches!(pw[pw.len() - 2], "can" | "could" | "may" | "would" | "will")
            && PERSON_HELPS.is_match(after)
        {
            note(negated(&last_words(before, 5)));
            continue;
        }
        // German and Dutch put the verb last: "mit einem echten Menschen reden".
        if words(after).iter().take(3).any(|w| VERB_LAST.contains(w)) {
            note(negated(&last_words(before, 6)));
            continue;
        }
        // A bare request: the message, or this clause, is little more than the person-word
        // ("agent", "Real person, now.").
        let clause_words = words(clause).iter().filter(|w| !is_filler(w)).count();
        if (whole_message_words <= 4 || clause_words <= 3)
            && !weak
            && !QUESTION_OPENER.is_match(clause)
        {
            note(negated(&last_words(before, 3)));
        }
    }
    if let Some(c) = AVAILABILITY.captures(clause) {
        let next = c.get(1).map_or("", |m| m.as_str());
        if !THING_AFTER.contains(&next) && next != "else" {
            let m = c.get(0).map_or(0, |m| m.start());
            note(negated(&last_words(&clause[..m], 4)));
        }
    }
    for re in [
        &*SOMEONE_WHO,
        &*AVAILABILITY_INTL,
        &*CALLBACK,
        &*ESCALATE,
        &*WHO_TO_ASK,
    ] {
        if let Some(m) = re.find(clause) {
            // "how do I let my customers request a call back": someone else is calling.
            let before = words(&clause[..m.start()]);
            if before.iter().any(|w| CUSTOMERS.contains(w)) {
                continue;
            }
            note(negated(&last_words(&clause[..m.start()], 5)));
        }
    }
    if let Some(m) = TICKET.find(clause)
        && !clause.starts_with("how")
        && !clause.contains("where")
    {
        note(negated(&last_words(&clause[..m.start()], 5)));
    }
    found
}

/// Words for a person, as people mistype them ("humn", "representitive", "opertor").
const PERSON_SPELLINGS: &[&str] = &[
    "human",
    "humans",
    "person",
    "agent",
    "representative",
    "operator",
    "supervisor",
    "someone",
    "somebody",
];
/// Real words one letter away from a person-word.
const NOT_TYPOS: &[&str] = &["argent", "humane", "parson", "agenda", "persona", "persons"];

/// Optimal string alignment distance (Levenshtein plus swapped neighbours), capped at 3.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()].min(3)
}

re!(LETTERS, r"\b[a-z]{4,}\b");

/// Rewrites likely misspellings of a person-word to the word (one edit, two for long words;
/// same first letter), so that "pls get me a humn" reads as asking for a human.
fn fix_person_typos(text: &str) -> String {
    LETTERS
        .replace_all(text, |c: &regex::Captures| {
            let w = &c[0];
            if NOT_TYPOS.contains(&w) || PERSON_SPELLINGS.contains(&w) {
                return w.to_owned();
            }
            PERSON_SPELLINGS
                .iter()
                .find(|p| {
                    p.as_bytes()[0] == w.as_bytes()[0]
                        && edit_distance(w, p) <= if p.len() >= 9 { 2 } else { 1 }
                })
                .map_or_else(|| w.to_owned(), |p| (*p).to_owned())
        })
        .into_owned()
}

/// Politeness and articles, ignored when judging whether a message is a bare request.
fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "please"
            | "pls"
            | "plz"
            | "now"
            | "hi"
            | "hello"
            | "hey"
            | "thanks"
            | "a"
            | "an"
            | "the"
            | "por"
            | "favor"
            | "bitte"
            | "svp"
            | "ok"
            | "just"
            | "right"
            | "asap"
            | "immediately"
    )
}

// "Transfer me.", "escalate please": the whole message is the verb.
re!(
    BARE_VERB,
    r"^\s*(?:please\s+)?(?:transfer|connect|escalate|forward|redirect)(?:\s+(?:me|us|this|it))?(?:\s+(?:please|now|asap))?\s*[.!]*\s*$"
);

/// Some(true) when the message asks for a person, Some(false) when it refuses one
/// ("I don't need a human"), None when it says neither.
pub(crate) fn explicit_request(folded: &str) -> Option<bool> {
    let cleaned = fix_person_typos(&strip_quotes(folded));
    let n = words(&cleaned).iter().filter(|w| !is_filler(w)).count();
    if BARE_VERB.is_match(&cleaned) {
        return Some(true);
    }
    let mut result = None;
    for c in clauses(&cleaned) {
        match clause_request(&c, n) {
            Some(true) => return Some(true),
            Some(false) => result = Some(false),
            None => {}
        }
    }
    result
}

// ---------------------------------------------------------------------------------------------
// Replies to the assistant
// ---------------------------------------------------------------------------------------------

re!(
    AFFIRM,
    r"^\s*(?:yes|yeah|yep|yup|ya|sure|ok(?:ay)?\s+(?:please|sure|yes|do\s+it)|please(?:\s+do)?|
    go\s+ahead|do\s+it|si|oui|ja|sim|absolutely|of\s+course|definitely|that\s+would\s+be\s+(?:great|good|nice|helpful)|
    i\s+would|i'd\s+like\s+that|connect\s+me)\b"
);
re!(
    DISMISS,
    r"^\s*(?:no|nope|nah|not\s+now|never\s*mind|no\s+need|it'?s\s+(?:fine|ok|okay|alright)|
    i'?m\s+(?:fine|good|ok|okay)|all\s+good)\b"
);
re!(
    CLOSING,
    r"\b(?:thanks|thank\s+you|thx|ty|cheers|merci|gracias|danke|obrigad[oa]|grazie|
    found\s+it|figured\s+(?:it\s+)?out|got\s+it|that\s+worked|it\s+works|works\s+now|that\s+helped|
    (?:that|this)\s+did\s+(?:it|the\s+trick)|solved|sorted|perfect|great,?\s+done|all\s+good|
    never\s*mind|nothing\s+for\s+now|good\s+to\s+know|no\s+thanks|i'?ll\s+look\s+around)\b"
);
re!(
    NOT_HELPFUL,
    r"(?:\b(?:didn'?t|did\s+not|doesn'?t|does\s+not|don'?t|do\s+not)\s+help|
    \bnot\s+help(?:ful|ing)|\bno\s+help\b|\bnot\s+what\s+i\s+(?:asked|meant|need|wanted|was\s+asking)|
    \b(?:doesn'?t|does\s+not|didn'?t|did\s+not)\s+(?:answer|explain|work|solve|fix|change)|
    \bstill\s+(?:not|doesn'?t|don'?t|isn'?t|can'?t|won'?t|no|nothing|failing|broken|the\s+same|says|shows|
        get|getting|happening|there|having|stuck|the\s+problem)|
    \bno\s+change|\bnothing\s+changed|\bsame\s+(?:problem|issue|error|thing|result)|
    \balready\s+(?:tried|did|done|do|have|checked|followed)|\btried\s+(?:that|this|it|everything|both|all)|
    \bi\s+did(?:\s+(?:that|it|this|all))?\b|
    \b(?:there'?s|there\s+is|there\s+are)\s+no\b|\bi\s+(?:don'?t|do\s+not|can'?t|cannot)\s+see\s+(?:it|that|any|an?|the)\b|
    \b(?:isn'?t|is\s+not|it'?s\s+not)\s+there|\bnot\s+there\b|\bdoesn'?t\s+exist|\b(?:is|are)\s+missing|
    \bgr[ae]yed\s+out|\bwrong\s+answer|\bthat'?s\s+(?:wrong|not\s+(?:right|it|true|correct|the\s+(?:problem|issue)))|
    \b(?:they|it)\s+(?:are|is)\s+(?:already\s+)?(?:allowed|enabled|on|set|correct)\b|\bread\s+my|
    \byou(?:'re|\s+are)\s+not\s+(?:listening|reading|understanding)|\bare\s+you\s+even|\bthe\s+whole\s+problem|
    \bno\s+sirve|\bno\s+me\s+ayud|\bca\s+ne\s+m'aide|\bhilft\s+(?:mir\s+)?nicht|\bnao\s+ajud)"
);

/// What the assistant said in one of its turns.
pub(crate) struct AssistantTurn {
    /// It said it had no answer.
    pub failed: bool,
    /// It offered to bring in a person.
    pub offered_person: bool,
}

re!(
    DONT_KNOW,
    r"\b(?:couldn'?t\s+find|could\s+not\s+find|can'?t\s+find|cannot\s+find|unable\s+to\s+(?:find|answer|help)|
    don'?t\s+know|do\s+not\s+know|not\s+sure|don'?t\s+have\s+(?:an?\s+|any\s+)?(?:answer|information|info|details)|
    no\s+answer|can'?t\s+help\s+with|no\s+(?:relevant\s+)?articles?|don'?t\s+understand)\b"
);
re!(
    OFFER,
    r"\b(?:(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|one\s+of\s+)?(?:person|human|someone|somebody|agent|
    (?:our|the)\s+(?:team|staff|support))|connect\s+you|hand\s+you\s+over|transfer\s+you|put\s+you\s+(?:through|in\s+touch)|
    pass\s+you\s+(?:on|to)|get\s+(?:you\s+)?(?:a\s+person|someone|a\s+human))\b"
);

pub(crate) fn assistant_turn(content: &str) -> AssistantTurn {
    let f = fold(content);
    AssistantTurn {
        failed: DONT_KNOW.is_match(&f),
        offered_person: OFFER.is_match(&f),
    }
}

// ---------------------------------------------------------------------------------------------
// Frustration
// ---------------------------------------------------------------------------------------------

re!(
    FRUSTRATION,
    r"\b(?:
    ridiculous|absurd|unacceptable|inacceptable|useless|worthless|pointless|hopeless|pathetic|
    incompetent|joke|kidding|seriously|unbelievable|disgust\w*|disappoint\w*|furious|angry|
    annoy\w*|frustrat\w*|irritat\w*|outrage\w*|terrible|awful|horrible|worst|stupid|dumb|idiot\w*|
    crap|crappy|shit\w*|damn|wtf|fuck\w*|sucks?|garbage|trash|rubbish|junk|scam|rip-?off|
    nonsense|bullshit|insane|upset|fuming|livid|pissed|mad\s+at|the\s+hell|hell\s+is|
    driving\s+me\s+(?:crazy|nuts|mad|insane|up\s+the\s+wall)|(?:so|completely|totally|just)\s+done\s+with|
    i\s+am\s+done|i'?ve\s+had\s+it|losing\s+my\s+mind|infuriat\w*|maddening|
    fed\s+up|sick\s+(?:of|and\s+tired)|tired\s+of|had\s+enough|enough\s+is\s+enough|i'?m\s+done|
    losing\s+my\s+patience|waste\s+of\s+(?:my\s+|our\s+)?time|wasted\s+(?:my|our)|
    how\s+many\s+times|are\s+you\s+(?:even|kidding|serious)|read\s+my\s+messages?|
    i\s+(?:already\s+)?told\s+you|(?:i|i've)\s+already\s+(?:said|told|explained|asked)|
    (?:nobody|no\s+one)\s+(?:cares|answers|replies|responds|helps|ever|has\s+answered)|
    makes\s+no\s+sense|no\s+sense|canned\s+answers?|you\s+people|
    you\s+(?:still\s+)?(?:don'?t|do\s+not)\s+(?:understand|listen|get\s+it)|
    ridiculo|inaceptable|hart[oa]|inutil|verguenza|pesimo|indignante|una\s+broma|
    inadmissible|ridicule|marre|ras\s+le\s+bol|nul|honteux|honte|furieux|furieuse|enerve|agace|
    unverschamt|frechheit|lacherlich|nutzlos|wutend|inakzeptabel|katastrophe|zumutung|
    absurdo|inaceitavel|cansad[oa]\s+de|pessimo|vergonha|assurdo|inaccettabile|vergogna|ridicolo|
    n'importe\s+quoi|straight\s+answer|can'?t\s+even|
    (?:so|this|that)\s+(?:hard|difficult|complicated)\s+to\s+(?:just\s+)?(?:get|find|reach|talk|speak|understand)|
    losing\s+(?:\w+\s+)?(?:customers|clients|money|business|sales|revenue|orders|leads|deals)|
    nothing\s+(?:you|u)\s+(?:say|suggest|said|suggested|do|did|tell|told|recommend\w*|propose\w*)|
    (?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)|umpteenth|hundredth|millionth)\s+time\s+(?:that\s+)?
        (?:i'?m|i\s+am|i'?ve|i\s+have|we'?re|we\s+have|i)?\s*(?:\w+\s+)?(?:explain|ask|tell|say|writ|repeat|contact|
        reach|messag|report)\w*
)\b|(?:^|[.!?]\s*)fix\s+(?:it|this|that)\b"
);
// Counted at half weight: repetition of effort ("for the third time", "three times").
re!(
    FRUSTRATION_TIMES,
    r"\b(?:(?:for\s+the\s+)?(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time|
    (?:three|four|five|several|many|multiple|\d+)\s+times|again)\b"
);
// Polite idioms that carry negative words but no anger.
re!(
    POLITE,
    r"(?:i'?m|i\s+am)\s+(?:so\s+|really\s+)?(?:terrible|awful|bad|hopeless|useless|stupid|dumb|rubbish|new)\s+(?:with|at)|
    (?:i\s+)?hate\s+to\s+(?:bother|ask|trouble|disturb)|
    (?:i\s+)?feel\s+(?:so\s+|a\s+bit\s+|kind\s+of\s+)?(?:dumb|stupid|silly|bad|like\s+an\s+idiot)|(?:dumb|stupid|silly)\s+question|sorry(?:\s+to\s+bother(?:\s+you)?)?|worst\s+case"
);
re!(
    QUESTION_OPENER,
    r"^\s*(?:so\s+|and\s+|also\s+|quick\s+question:?\s+|anyway,?\s+)?(?:
    how\s+(?:do|can|to|should|would|could|does|is|are)|what\s+(?:does|do|is|are|should|happens)|what's|where|which|
    when\s+(?:will|does|do|is|are|can|should|would)|
    is\s+it\s+possible|is\s+there\s+(?:a|an|any)\s+(?:way|option|setting|shortcut|api|limit|free|discount)|
    can\s+i|could\s+i|may\s+i|do\s+you|does\s+(?:the|your|it|this)|will\s+i|(?:do|would|will|should)\s+(?:i|we)|is\s+(?:my|the|your|vat)|are\s+(?:there|my|the)|
    any\s+tips|como|comment|wie|wo|onde|donde|ou\s+(?:est|sont|puis))\b"
);

const ACRONYMS: &[&str] = &[
    "API", "CSV", "PDF", "URL", "SSO", "VAT", "ID", "OK", "US", "USA", "EU", "UK", "FAQ", "SAML",
    "HTML", "SMS", "DNS", "SPF", "DKIM", "CNAME", "HTTP", "HTTPS", "JSON", "XML", "IP", "PO",
    "CEO", "IT", "HR", "TV", "AM", "PM", "GB", "MB", "KB", "TB", "UI", "UX", "FA", "SDK", "CRM",
    "SLA", "ETA", "EUR", "USD", "GBP", "AWS", "GDPR", "PM", "IOS", "MFA", "OTP", "CSS", "JS",
];

/// How upset the message reads, and whether that is frustration.
pub(crate) struct Frustration {
    pub score: f64,
    pub frustrated: bool,
    pub cues: Vec<String>,
}

pub(crate) fn frustration(
    original: &str,
    folded: &str,
    compound: f64,
    how_to: bool,
) -> Frustration {
    let calm = POLITE.replace_all(folded, " ");
    let lexicon: Vec<String> = FRUSTRATION
        .find_iter(&calm)
        .map(|m| m.as_str().to_owned())
        .collect();
    let times = FRUSTRATION_TIMES.find_iter(&calm).count().min(2);
    let caps = original
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            letters >= 2
                && w.chars().all(|c| !c.is_lowercase())
                && !ACRONYMS.contains(&w.trim_matches('\''))
                && !w.chars().any(|c| c.is_ascii_digit())
        })
        .count();
    let mut runs = 0;
    let mut prev_mark = false;
    let mut run_len = 0;
    for c in original.chars().chain(std::iter::once(' ')) {
        let mark = c == '!' || c == '?';
        if mark {
            run_len += 1;
        } else if c != ' ' || !prev_mark {
            if run_len >= 2 {
                runs += 1;
            }
            run_len = 0;
        }
        prev_mark = mark || (prev_mark && c == ' ');
    }
    let ws = words(folded);
    let elongated = ws.iter().any(|w| {
        let cs: Vec<char> = w.chars().collect();
        cs.windows(3)
            .any(|t| t[0] == t[1] && t[1] == t[2] && t[0].is_alphabetic() && t[0] != 'w')
    });
    let repeated = ws.iter().enumerate().any(|(i, w)| {
        (w.chars().count() >= 4 && ws[i + 1..].iter().take(6).any(|x| x == w))
            || (w.chars().count() >= 3 && ws.get(i + 1) == Some(w))
    });
    // "why why why", "no no no": the same word three times running.
    let stutter = ws.windows(3).any(|t| t[0] == t[1] && t[1] == t[2]);
    let mut score = lexicon.len() as f64
        + 0.5 * times as f64
        + 0.35 * caps.min(3) as f64
        + 0.35 * runs.min(2) as f64
        + if elongated { 0.3 } else { 0.0 }
        + if repeated { 0.3 } else { 0.0 }
        + if stutter { 0.7 } else { 0.0 }
        + 2.0 * (-compound - 0.3).max(0.0);
    // A plain how-to question with one strong word ("how do I stop annoying emails?") is not anger.
    let intensity = caps + runs + usize::from(elongated) + usize::from(repeated);
    if how_to && lexicon.len() <= 1 && intensity == 0 {
        score *= 0.5;
    }
    let has_lexicon = !lexicon.is_empty();
    let mut cues = lexicon;
    if caps > 0 {
        cues.push("capitals".into());
    }
    if runs > 0 {
        cues.push("repeated punctuation".into());
    }
    Frustration {
        // VADER misses sarcasm and idioms ("wow, what a waste of my time" scores positive),
        // so an anger word counts whatever the compound says.
        frustrated: score >= 1.0 && (has_lexicon || compound < 0.2),
        score,
        cues,
    }
}

// ---------------------------------------------------------------------------------------------
// Billing, account security, breakage, feature requests, topic words
// ---------------------------------------------------------------------------------------------

re!(
    BILLING_TOPIC,
    r"\b(?:
    charg\w*|bill|bills|billed|billing|invoic\w*|refund\w*|payments?|pay|paid|paying|pays|cards?|
    subscriptions?|subscribed|pric\w*|costs?|costing|fees?|discounts?|coupons?|promo\w*|receipts?|vat|
    tax\w*|prorat\w*|upgrad\w*|downgrad\w*|trial|seats?|money|dollars?|euros?|bank|paypal|boleto|
    renew\w*|overdue|quote|currency|cheaper|expensive|plans?|annual(?:ly)?|yearly|monthly|
    nonprofits?|purchase\w*|checkout|sales|
    cobr\w*|reembols\w*|factura\w*|pago\w*|tarjeta|suscripcion\w*|precio\w*|
    factur\w*|debit\w*|prelev\w*|rembours\w*|paiement\w*|abonnement\w*|carte|prix|tarif\w*|
    abgebucht|abbuchung\w*|rechnung\w*|zahlung\w*|geld|erstattung|abo|preis\w*|kreditkarte|
    cobranca|fatura\w*|pagamento\w*|cartao|assinatura|preco\w*|pague\w*|pagad[oa]s?|pagamos|pagou|bezahlt\w*|betaald
)\b|[$€£]\s?\d"
);
// Money taken wrongly or wanted back: a billing problem of high urgency.
re!(
    BILLING_MONEY,
    r"\b(?:
    twice|double(?:d|\s+charged)?|duplicate\w*|identical\s+(?:charges|payments)|
    (?:two|three|multiple|several)\s+(?:\w+\s+)?(?:charges|payments|invoices|transactions)|
    instead\s+of\s+[$€£]?\d|
    (?:renewed|charged|billed|took|taken|debited)\b.{0,60}\b(?:even\s+though|although|despite|without\s+(?:my\s+)?(?:permission|consent|asking))|
    overcharg\w*|(?:don'?t|do\s+not|didn'?t)\s+recogni[sz]e|unknown\s+charge|unauthori[sz]ed|
    (?:didn'?t|did\s+not|never)\s+(?:authori[sz]e|approve|agree\s+to|order)|
    never\s+(?:signed|authori[sz]ed|agreed|ordered|asked|subscribed|used)|
    still\s+(?:billed|charged|paying|being\s+(?:charged|billed)|get(?:ting)?\s+(?:charged|billed))|
    (?:charged|billed)\s+(?:me\s+)?(?:right\s+)?after|(?:charged|billed)\s+(?:me\s+)?(?:for|in)\s+(?:a|an|the|\d+)|
    (?:want|need|get|give|request\w*|demand|expect|issue|process)\s+(?:me\s+)?(?:a\s+|my\s+|the\s+)?(?:full\s+)?refund|
    refund\s+(?:me|please|this|my|the)|money\s+back|fraud\w*|chargeback|
    (?:taking|took|taken|stealing|stole)\s+(?:my\s+)?money|went\s+through\s+but|full\s+price|
    paid\b.{0,80}\b(?:still|but|not)|from\s+[$€£]?\d+\s+to\s+[$€£]?\d+|
    dos\s+veces|deux\s+fois|zweimal|doppelt\w*|duas\s+vezes|
    (?:charged|paid|debited|billed)\b[^.!?]{0,40}\bbut\b|
    (?:billed|charged|debited)\b[^.!?]{0,30}\b(?:\w+\s+times|again)\b|
    de\s+mas|a\s+mais|en\s+trop|zu\s+viel|(?:depois|despues|apres|nach)\s+(?:de\s+|d'|der\s+)?(?:cancelar|annul\w*|kundigung)|geld\s+zuruck|reembolso|rembourse\w*|erstatt\w*|
    aunque\s+cancel\w*|even\s+though\s+i\s+cancel\w*|
    (?:pague\w*|pagamos|pagado|pagou|paye|payee|payes|bezahlt|betaald|pagato)\b.{0,80}\b(?:pero|mas|mais|aber|maar|ma|
        nao|no|pas|nicht|niet|todavia|ainda|toujours|noch|still)\b|
    (?:bill|invoice|price|charge|payment|subscription|cost|fee)s?\s+(?:\w+\s+){0,2}(?:went|go|goes|gone|shot|jumped|jump|
        doubled|tripled|increased|increase)\b|
    (?:no\s+idea|not\s+sure|don'?t\s+know|idk)\s+what\s+(?:it|this|that|the\s+\w+)\s+(?:is|was)|
    revers\w*\s+(?:it|this|that|them|the\s+(?:charge|payment|fee|transaction))|
    but\s+(?:i\s+|we\s+)?(?:was|were|got|am|are|have\s+been|still\s+got)\s+(?:still\s+)?(?:charged|billed)
)|^\s*refund\b"
);
// Other billing trouble: failed payments, wrong invoices, disputes.
re!(
    BILLING_TROUBLE,
    r"\b(?:
    dispute\w*|declin\w*|fail\w*|rejected|invalid|not\s+accepted|won'?t\s+(?:go\s+through|accept)|why\s+(?:was|were|did|am|have|has|is)\s+(?:i|we|my|our|it|this)\b|
    still\s+(?:shows|says|on)|not\s+(?:what\s+we\s+agreed|applied)
)"
);
// Weak cues: a problem only when the message is not a question about how something works.
re!(
    BILLING_WEAK,
    r"\b(?:
    wrong\w*|incorrect\w*|mistake\w*|errors?|doesn'?t\s+match|does\s+not\s+match|although|even\s+though|
    (?:doesn'?t|does\s+not|didn'?t|did\s+not)\s+(?:include|reflect|show|apply)|agreed|
    but\s+(?:my|the|our|it|i|we|you)|blank|missing|does\s+nothing|doesn'?t\s+work|obwohl|aunque|mesmo\s+assim
)\b"
);

re!(
    COMPROMISE,
    r"\b(?:
    hack\w*|compromis\w*|breach\w*|stolen|phish\w*|leak\w*|exposed|posted\s+publicly|publicly\s+(?:posted|exposed)|
    (?:someone|somebody|a\s+stranger)\s+(?:else\s+)?(?:got\s+into|has\s+got|logged|is\s+logged|is\s+using|used|
        accessed|has\s+access|is\s+sending|sent|changed|is\s+in|took\s+over|deleted)|
    (?:wasn'?t|was\s+not|it'?s\s+not|isn'?t)\s+me|taken\s+over|takeover|
    (?:didn'?t|did\s+not|never)\s+(?:request|ask\s+for|initiate)|
    (?:email|phone|password|number)\s+(?:and\s+\w+\s+)?(?:has|have)\s+been\s+changed|
    (?:logins?|log-ins?|sign-?ins?|sessions?)\s+from\s+(?:another|a\s+different|an?\s+unknown|unknown|devices?|a\s+device|strange|other)|
    devices?\s+i\s+(?:don'?t|do\s+not)\s+(?:own|recogni[sz]e|know)|suspicious|
    unauthori[sz]ed\s+(?:access|login|logins|sign)|
    gehackt|hackeado|hackeada|hackearon|pirate\w*|invadid[ao]|
    (?:alguien|alguem|quelqu'un|jemand|iemand|qualcuno)\s+(?:\w+\s+){0,2}?(?:entro|accedio|cambio|ha\s+entrado|ha\s+accedido|
        s'est\s+connecte|s'est\s+introduit|a\s+accede|a\s+change|a\s+modifie|hat\s+sich|hat\s+mein\w*|eingeloggt|
        angemeldet|entrou|acessou|mudou|alterou|invadiu|e\s+entrato|ha\s+cambiato)
)\b"
);
// A secret made public: "our API key was pushed to a public repo".
re!(
    SECRET_EXPOSED,
    r"\b(?:keys?|tokens?|secrets?|passwords?|credentials?)\b[^.!?]{0,80}\b(?:pushed|committed|published|posted|pasted|
    shared|checked\s+in|visible|uploaded)\b[^.!?]{0,40}\bpublic"
);
// Signed in without permission, in other languages (not about a charge).
re!(
    WITHOUT_CONSENT,
    r"\b(?:sin\s+mi\s+(?:autorizacion|permiso|consentimiento)|sans\s+mon\s+(?:autorisation|accord|consentement)|
    ohne\s+mein\w*\s+(?:erlaubnis|zustimmung|wissen)|sem\s+(?:a\s+)?minha\s+(?:autorizacao|permissao)|
    without\s+my\s+(?:permission|consent|knowledge))\b"
);
// "projects I didn't create": a stranger in the account, unless it is about a charge.
re!(
    DIDNT_CREATE,
    r"\b(?:i\s+)?didn'?t\s+(?:create|authori[sz]e)\b"
);
re!(
    ACCESS,
    r"\b(?:
    locked\s+out|lock(?:ed)?\s+(?:me\s+)?out|account\s+(?:is\s+|has\s+been\s+|was\s+|got\s+)?(?:locked|suspended|
        disabled|banned|deactivated|blocked|closed|frozen)|(?:suspended|disabled|banned|deactivated|blocked)\s+(?:my\s+)?account|
    (?:can'?t|cannot|can\s+not|couldn'?t|unable\s+to|not\s+able\s+to)\s+(?:log|sign)\s*(?:in|on|into)|
    (?:can'?t|cannot|unable\s+to)\s+(?:get|access)\s+(?:in|into|past|back|my\s+account)|
    lost\s+(?:my\s+)?(?:phone|device|authenticator|2fa|security\s+key|recovery\s+codes?)|
    (?:authenticator|2fa)\s+(?:app\s+)?(?:was|is)\s+on\s+my\s+old|
    no\s+longer\s+have\s+access|(?:don'?t|do\s+not)\s+have\s+access\s+to\s+(?:my|the)\s+(?:email|phone|account)|
    invalid\s+credentials|(?:password|reset)\b.{0,40}\bstill\s+(?:says|doesn'?t|does\s+not|not|fails)|
    (?:unlock|reset|verification|login|2fa|sms|security|confirmation|one-time|otp|mfa|magic|sign-?in)\s+(?:\w+\s+)?
        (?:email|e-mail|link|code|text)s?\s+(?:never|doesn'?t|does\s+not|didn'?t|won'?t|isn'?t|is\s+not)\s*
        (?:arriv\w*|come\w*|work\w*|show\s+up|get\s+(?:sent|delivered))|
    konto\s+(?:wurde\s+)?(?:gesperrt|blockiert)|cuenta\s+bloqueada|compte\s+bloque|conta\s+bloqueada|
    nao\s+consigo\s+(?:entrar|acessar)|no\s+puedo\s+(?:entrar|acceder|iniciar)|
    ne\s+peux\s+(?:pas|plus)\s+me\s+connecter|kann\s+mich\s+nicht\s+(?:anmelden|einloggen)|
    komme?n?\s+nicht\s+(?:mehr\s+)?(?:in|ins|an)\b|
    (?:2fa|two-factor|zwei-faktor\S*|authenticator|2-step|mfa|otp|doble\s+factor|double\s+authentification|dois\s+fatores)
        \b[^.!?]{0,30}\b(?:ist\s+weg|weg|verloren|gone|lost|perdi\w*|perdu\w*|broke|broken|no\s+longer)
)\b"
);

re!(
    MALFUNCTION,
    r"(?:\b(?:
    errors?|erreur|fehler|erro|falla|fallo|bad\s+gateway|
    crash\w*|plante\w*|absturz\w*|sturzt|se\s+cierra|trava\w*|se\s+bloquea|
    broken|broke|breaks|bug|bugs|buggy|glitch\w*|kaputt|
    (?:not|isn'?t|aren'?t|stopped|stop)\s+working|
    (?:doesn'?t|does\s+not|don'?t|do\s+not|didn'?t|won'?t|will\s+not|can'?t|cannot|isn'?t|aren'?t)\s+
        (?:work|load|open|start|save|send|sync|upload|download|respond|show|display|play|refresh|update|
         arrive|finish|export|import|print|appear|loading|opening|saving|syncing)|
    (?:aren'?t|isn'?t|are\s+not|is\s+not|never|no\s+longer)\s+(?:being\s+)?(?:delivered|arriving|sent|received|
        saved|syncing|loading|showing|working|updating|firing|sending|receiving|responding|opening|
        playing|rendering|displaying|coming\s+through|going\s+through)|
    no\s+funciona|ne\s+(?:fonctionne|marche)|funktioniert\s+nicht|geht\s+nicht|nao\s+(?:funciona|abre|carrega)|
    no\s+(?:abre|carga)|dando\s+erro|da\s+erro|ne\s+s'ouvre|
    fail(?:s|ed|ing|ure)?|stuck\s+(?:at|on)\s+\d+\s*%|(?:is|are|gets?|got|keeps?\s+getting)\s+stuck|
    freez\w*|frozen|hangs|hanging|spinning|spins|
    blank\s+(?:white\s+)?(?:page|screen)|white\s+screen|
    nothing\s+(?:happens|loads|shows|works|is\s+delivered|arrives|is\s+saved)|does\s+nothing|
    disappear\w*|vanish\w*|(?:is|are)\s+missing|missing\s+(?:half|some|all|rows|data|messages)|
    lost\s+(?:all\s+)?(?:of\s+)?(?:my|our)\s+(?:\w+\s+)?(?:notes|data|messages|work|files|conversations|history|
        documents|contacts|projects|chats|drafts?|changes|settings)|deleted\s+my|out\s+of\s+order|wrong\s+(?:month|date|day|time|order|year)|
    upside\s+down|unreadable|can'?t\s+read|
    stopped\s+(?:arriving|firing|syncing|sending|loading|working|showing)|
    tim(?:ing|es|ed)\s+out|timeout|keeps?\s+(?:failing|crashing|spinning|logging\s+me\s+out|freezing|timing|reloading)|
    (?:logs?|logged|logging|kicks?|kicked|throws?|threw)\s+me\s+out|loops?\s+back|
    deleted\s+(?:what|all|everything)|wiped|erased|
    (?:display|displays|displayed|show|shows|showing|appear|appears|render|renders)\s+(?:up\s+)?as\s+|
    keeps\s+(?:on\s+)?\w+ing|jumps?\s+(?:back|to|around)|delayed|arriv\w*\s+late|
    (?:plays?|comes?|arrives?|shows?|appears?|sends?|fires?|runs?|rings?|pops?\s+up|gets?\s+sent)\s+(?:up\s+)?(?:twice|two\s+times|double)|
    (?:is|are)\s+(?:all\s+)?gone|went\s+missing|gone\s+missing|
    takes?\s+(?:a|an|\d+|several|ages|forever)\s*(?:minutes?|seconds?|hours?|ages|forever)?\s+to\s+(?:load|return|open|send|save|sync|show)|
    (?:is|are|was|were|seems?|looks?)\s+(?:all\s+|completely\s+|totally\s+)?(?:wrong|incorrect|corrupt\w*|
        duplicated|garbled|empty|messed\s+up)|
    (?:can'?t|cannot|unable\s+to)\s+access\s+(?:anything|the\s+(?:app|site|dashboard|inbox)|our|my\s+(?:dashboard|inbox|data|files))|
    (?:don'?t|doesn'?t|won'?t|aren'?t|isn'?t|never)\s+(?:get\s+|gets\s+|being\s+)?(?:saved|stored|applied|synced|updated)|
    (?:aren'?t|isn'?t|are\s+not|is\s+not|not)\s+(?:clickable|responding|responsive|visible)|lag|lags|lagging|(?:very|so|really|extremely|super|incredibly|painfully|too)\s+slow|
    (?:comes?|arrives?|shows?)\s+(?:up\s+)?twice|something\s+went\s+wrong|unexpected|
    (?:site|service|app|platform|server|servers|api|dashboard|everything|system)\s+(?:is|are|seems\s+to\s+be|seems|'s)\s+
        (?:completely\s+|totally\s+|all\s+)?down|down\s+for\s+(?:us|everyone|me|all)|outage|
    shows?\s+(?:up\s+)?(?:as\s+)?(?:broken|wrong|nothing|blank|empty)|returns?\s+(?:nothing|an?\s+error|\d{3}|empty)
)\b)"
);
// A negated action, any tense: "never show up", "doesn't do anything", "won't go through",
// "didn't get delivered". The verb is a stem; the suffix covers -s, -ed, -ing.
re!(
    NEGATED_ACTION,
    r"\b(?:doesn'?t|does\s+not|don'?t|do\s+not|didn'?t|did\s+not|won'?t|will\s+not|wouldn'?t|would\s+not|
    can'?t|cannot|can\s+not|couldn'?t|could\s+not|isn'?t|aren'?t|wasn'?t|weren'?t|(?:is|are|was|were)\s+not|never|no\s+longer)\s+
    (?:(?:even|ever|always|actually|properly|correctly|really|seem\s+to|appear\s+to|get|be|being|been)\s+){0,2}
    (?:work|load|open|start|sav|send|sent|sync|upload|download|respond|show|display|play|refresh|updat|arriv|
     finish|export|import|print|appear|connect|deliver|receiv|render|trigger|fir|click|scroll|submit|redirect|
     stay|stick|notify|notifi|ring|populat|attach|process|complet|launch|install|run|boot|reply|replie|
     verif|apply|appli|go\s+through|come\s+through|get\s+through|turn\s+up|pop\s+up|
     do\s+(?:anything|a\s+thing)|happen)(?:s|es|ed|d|ing|ied|ies|e)?(?:\s+(?:up|through|anymore))?\b"
);
// Whatever the subject, "X is down" / "went down".
re!(
    IS_DOWN,
    r"\b(?:is|are|was|were|'s|went|goes|seems\s+to\s+be|seem\s+to\s+be|keeps\s+going)\s+(?:completely\s+|totally\s+|all\s+|still\s+)?down\b"
);
// Down now (an outage), not "was down for a week".
re!(
    DOWN_NOW,
    r"\b(?:is|are|'s|went|goes|seems\s+to\s+be|seem\s+to\s+be|keeps\s+going)\s+(?:completely\s+|totally\s+|all\s+|still\s+)?down\b"
);
// An HTTP status in a report ("getting 503s", "a 404 on the page"), not an amount, a phone
// number or a count ("500 users").
re!(
    STATUS_CODE,
    r"(?:^|[\s(:'\x22])([45]\d\d)(s)?(?:$|[\s).,!?:;'\x22])(\w*)"
);
// Other symptoms: an error message quoted after "getting", a blank box, the wrong value,
// mail in spam, customers who cannot use it, nothing working (in several languages).
re!(
    SYMPTOM,
    r"\b(?:
    (?:getting|get|got|gets|receiving|received|keep\s+getting|keeps\s+getting|returns?|returning|throws?|throwing|
        pops?\s+up\s+with)\s+(?:an?\s+|the\s+|this\s+|me\s+)?['\x22]|
    (?:blank|empty|grey|gray|white|black)\s+(?:box|page|screen|square|area|window|panel|space|frame|iframe|rectangle)|
    (?:is|are|goes|went|turns?|turned|comes?\s+up|stays?|stayed)\s+(?:completely\s+|totally\s+|just\s+|all\s+)?
        (?:blank|unresponsive|greyed|grayed)|
    (?:shows?|showing|displays?|displaying|has|gives?|giving|sends?|picks?|puts?|sets?)\s+
        (?:the\s+|a\s+|an\s+|me\s+)?(?:wrong|incorrect)\b|
    (?:go|goes|going|went|end\s+up|ends\s+up|ending\s+up|land|lands|landing|landed)\s+(?:in|to|into)\s+
        (?:the\s+|their\s+|my\s+|our\s+)?(?:\w+'?\s+)?(?:spam|junk)|
    (?:customers|clients|users|visitors)\s+(?:can'?t|cannot|are\s+unable\s+to|are\s+not\s+able\s+to)\s+\w+|
    none\s+of\s+(?:our|my|the)\s+(?:customers|users|clients|visitors|agents|team)\s+(?:can|could|are\s+able|is\s+able|get|gets|receive)|
    rien\s+ne\s+(?:marche|fonctionne|va|s'affiche|charge)|(?:funktioniert|geht|klappt|ladt|lauft)\s+(?:gar\s+|rein\s+|absolut\s+)?nichts|
    nichts\s+(?:funktioniert|geht|klappt|ladt)|nada\s+funciona|(?:no|nao)\s+funciona\s+nada|
    (?:no\s+puedo|nao\s+consigo|no\s+consigo|nao\s+posso)\s+(?:\w+\s+)?(?:usar|enviar|abrir|subir|guardar|salvar|cargar|carregar|
        descargar|baixar|exportar|importar|conectar|sincronizar|mandar|ver\s+(?:mis|os|as|meus|minhas))|
    ne\s+(?:s'\w+|se\s+\w+|(?:marche|fonctionne|charge|repond|demarre|synchronise|envoie|arrive|apparait|affiche|ouvre|
        sauvegarde|enregistre)\w*)\s+plus|
    (?:ladt|lauft|geht|funktioniert|klappt|offnet|startet|synchronisiert|sendet|speichert|zeigt|kommt|kommen|erscheint|
        erscheinen|reagiert|laden)\s+(?:\w+\s+)?nicht\s+mehr|
    ya\s+no\s+(?:se\s+\w+|funciona\w*|carga\w*|abre\w*|aparece\w*|llega\w*|sincroniza\w*|envia\w*|responde\w*|muestra\w*|guarda\w*)|
    (?:nao|ja\s+nao)\s+(?:funciona|carrega|abre|aparece|chega|sincroniza|envia|responde|mostra|salva)\w*\s+mais|
    (?:impossible|je\s+n'arrive\s+(?:pas|plus))\s+(?:d'|de\s+|a\s+)(?:envoyer|ouvrir|charger|telecharger|exporter|importer|
        enregistrer|sauvegarder|connecter|synchroniser|utiliser)
)"
);
// "the badge says 3 but there are no unread messages": the product contradicts itself.
re!(
    CONTRADICTION,
    r"\b(?:says|shows|displays?|counts?|lists?|reports?)\b[^.!?]{0,50}\bbut\s+(?:(?:there\s+(?:is|are)|there'?s|i\s+see|we\s+see|i\s+have|we\s+have|we\s+only\s+have|i\s+only\s+have)\s+
    (?:no|nothing|none|only|zero)|it'?s\s+(?:empty|not)|nothing|none|i\s+(?:have|had|did)(?:\s+not|n'?t)|
    (?:we|i)\s+(?:only|never|don'?t|didn'?t))"
);

// "links are not clickable anymore": something that used to work. Group 1 is the subject,
// which must be a thing, not the user ("I don't need it anymore").
re!(
    REGRESSION,
    r"\b(\w+)\s+(?:isn'?t|aren'?t|is\s+not|are\s+not|doesn'?t|don'?t|won'?t|can'?t|no\s+longer)\s+
    (?:\w+\s+)?(?:anymore|any\s+more)\b"
);

// "is the service down?": asking about an outage is reporting one.
re!(
    OUTAGE_QUESTION,
    r"\b(?:is|are)\s+(?:the|your)\s+(?:site|service|app|server|servers|api|platform|system|website)\s+
    (?:down|offline|broken|having\s+(?:issues|problems))"
);

re!(
    OUTAGE,
    r"\b(?:
    (?:is|are|seems\s+to\s+be|seems|'s|went|goes)\s+
        (?:completely\s+|totally\s+|all\s+|still\s+)?down|down\s+for\s+(?:us|everyone|all)|outage|production|prod|
    nothing\s+loads\s+at\s+all|(?:all|none)\s+of\s+(?:our|my|the)\s+(?:customers|users|clients)|
    our\s+customers\s+can'?t|bad\s+gateway|50[234]|(?:errors?|fails?|failing|broken|down)\s+everywhere
)\b"
);
re!(
    DATA_LOSS,
    r"\b(?:
    (?:lost|lose|losing)\s+(?:all\s+)?(?:of\s+)?(?:my|our|the)\s+(?:\w+\s+)?(?:notes|data|messages|work|files|
        conversations|history|documents|contacts|projects|chats)|
    (?:all|every|our|my)\s+(?:\w+\s+){0,3}(?:messages|conversations|data|notes|files|contacts|projects|history|chats)\b
        .{0,30}(?:disappeared|vanished|gone|wiped|deleted|lost)|
    (?:messages|conversations|data|notes|files|contacts|projects|history|chats)\s+(?:have\s+|has\s+)?
        (?:disappeared|vanished|gone|been\s+wiped|been\s+deleted)
)\b"
);
re!(
    BLOCKING,
    r"\b(?:
    (?:none|all)\s+of\s+(?:my|our|the)\s+(?:team|users|agents|staff|colleagues|people)|
    (?:whole|entire)\s+(?:team|company|workflow|office)|nobody\s+(?:in|on)\s+(?:my|our)\s+team|
    (?:my|our)\s+team\s+can'?t|blocking|blocked|can'?t\s+work|deadline|in\s+an\s+hour|
    can'?t\s+(?:log|sign)\s*in
)\b"
);
re!(
    URGENT_WORD,
    r"\b(?:urgent\w*|emergency|asap|immediately|right\s+away|critical|as\s+soon\s+as\s+possible|
    dringend|urgente|urgence|sofort)\b"
);

re!(
    FEATURE,
    r"\b(?:
    feature\s+request|would\s+be\s+(?:great|nice|amazing|awesome|cool|helpful|useful|lovely|handy|good)\s+(?:if|to)|
    it'?d\s+be\s+(?:great|nice|amazing|awesome|cool|helpful|useful|handy|good)|
    (?:please|could\s+you|can\s+you|would\s+you|will\s+you)\s+(?:guys\s+|folks\s+|all\s+|people\s+)?(?:please\s+)?(?:add|support|build|implement|introduce|
        consider|include|make\s+it\s+possible)|
    (?:are\s+you|is\s+your\s+team|do\s+you)\s+(?:planning|plan)\s+(?:to|on)|any\s+plans?\s+(?:to|for|on)|
    plans?\s+to\s+(?:add|support|build|offer|introduce)|(?:is\s+there\s+any|any)\s+chance\s+(?:you|that|of)|
    would\s+you\s+consider|i\s+wish\b|(?:would|i'?d|we'?d)\s+love\s+(?:to\s+see|if|a|an|it\s+if)|
    would\s+(?:really\s+)?(?:help|be\s+(?:really\s+|very\s+|so\s+)?(?:helpful|useful))\s+if|
    (?:have|are\s+there)\s+(?:any\s+)?plans?\s+(?:to|for)|you\s+should\s+(?:add|support|build|offer|have)|
    please\s+(?:make|allow|let\s+us)|(?:could|can|would)\s+you\s+(?:please\s+)?(?:make|allow)\s+(?:the|it|this|us|me)\b|
    should\s+be\s+(?:able|possible)\s+to|needs?\s+an?\s+(?:option|setting|way)\s+to|
    suggestion|roadmap|feature\s+(?:that\s+)?(?:we|i|our\s+\w+|my\s+\w+)\s+(?:need|needs|want|wants|would\s+like|miss)|(?:add|adding)\s+(?:an?\s+)?(?:option|ability|way|setting)\s+to|
    sugerencia|seria\s+(?:genial|bueno|otimo|bom|legal)|ce\s+serait\s+(?:bien|super|genial)|vorschlag|
    ware\s+(?:schon|toll|super)|sugestao
)\b"
);

re!(
    TECH_TERM,
    r"\b(?:
    settings?|integrations?|api|webhooks?|export\w*|import\w*|upload\w*|download\w*|attach\w*|widget|
    notif\w*|password|passwort|contrasena|mot\s+de\s+passe|senha|log\s*in|login|sign\s*in|accounts?|
    2fa|two-factor|authenticat\w*|sso|saml|okta|domains?|dns|cname|inbox\w*|teammates?|invit\w*|
    roles?|admins?|members?|tags?|conversations?|conversaciones|conversas|messages?|app|apps|
    application|aplicacion|aplicativo|browsers?|android|ios|iphone|mobile|desktop|slack|zapier|
    shopify|e-?mails?|sync\w*|search\w*|shortcuts?|keyboard|dark\s+mode|theme|language|idioma|
    langue|sprache|timezone|profile|signature|templates?|archiv\w*|channels?|routing|assign\w*|
    drafts?|files?|pdfs?|csv|images?|videos?|gifs?|token|keys?|format\w*|bold|display\s+name|
    workspace|projects?|contacts|fields?|avatar|kollegen|collegue|users?|data|datos|donnees|daten|
    dados|buttons?|menu|set\s*up|configur\w*|install\w*|customi[sz]\w*|custom\s+\w+|auto-?repl\w*|business\s+hours|
    sounds?|mute|unmute|pagination|rate\s+limit|offline|encrypt\w*|devices?|sessions?|owner\w*|
    access|integration|dashboard|thumbnails?|calendar|composer|formatting|text|picture|
    einstellungen|benachrichtigungen|passwort|mots?|arquivo|foto|photo|sso
)\b"
);

// Questions about doing something in the product, whatever the nouns.
re!(
    HOW_TO,
    r"(?:^|[.!?,]\s*)(?:so\s+|and\s+|also\s+)?(?:how\s+(?:do|can|to|should|would|could)|where\s+(?:do|can|is|are|did)|
    can\s+i|could\s+i|is\s+it\s+possible|is\s+there\s+a\s+way|what\s+does|what\s+do\s+(?:i|you)|
    can\s+you\s+(?:help|tell|show|explain)|i\s+need\s+help|help\s+me|who\s+(?:can|on|in)|como|comment|wie|wo|onde|donde)\b"
);
// Questions about the company rather than the product.
re!(
    ABOUT_COMPANY,
    r"\b(?:your\s+(?:company|office|offices|founders?|ceo|staff|team|customer\s+\w+\s+team|support\s+team)|
    (?:support|opening|office|business)\s+hours|based\s+in|located|founded|hiring|careers?|jobs?|weekends?|holidays?|
    phone\s+number|contact\s+(?:details|info))\b"
);

re!(
    GREETING,
    r"^\s*(?:hi|hello|hey|hiya|howdy|good\s+(?:morning|afternoon|evening)|hola|buenos\s+dias|bonjour|
    salut|hallo|guten\s+(?:tag|morgen)|ola|oi|ciao|goedemorgen)\b"
);
re!(
    PREFACE,
    r"^\s*(?:i\s+have|i've\s+got|got)\s+a\s+(?:quick\s+|small\s+)?question"
);

/// Everything noticed in one user message.
pub(crate) struct MessageSignals {
    pub compound: f64,
    /// Some(true): asks for a person; Some(false): refuses one.
    pub explicit: Option<bool>,
    pub frustration: Frustration,
    pub billing_topic: usize,
    pub billing_problem: bool,
    pub billing_money: bool,
    pub compromise: bool,
    pub access: bool,
    pub malfunction: bool,
    pub outage: bool,
    pub data_loss: bool,
    pub blocking: bool,
    pub urgent_word: bool,
    pub feature: bool,
    pub question: bool,
    pub tech_terms: usize,
    /// Asks how to do something in the product.
    pub how_to: bool,
    /// Asks about the company (hours, location), not the product.
    pub about_company: bool,
    /// Only a greeting and/or a preface ("I have a quick question").
    pub greeting_only: bool,
    pub closing: bool,
    pub affirm: bool,
    pub dismiss: bool,
    pub not_helpful: bool,
    /// Says something of substance (not "ok", "hi", "thanks").
    pub substantive: bool,
}

impl MessageSignals {
    /// A problem that needs a person, whatever the assistant says.
    pub fn problem(&self) -> bool {
        self.billing_problem || self.compromise || self.access || self.malfunction
    }
}

/// Clauses that are questions about how things work or hypotheticals ("if my server is
/// down"), where breakage words describe no breakage.
fn question_or_hypothetical(clause: &str) -> bool {
    // "when …?" in a question is a hypothetical ("do seats get refunded when I remove users?").
    let asked = clause.trim_end().ends_with('?');
    QUESTION_OPENER.is_match(clause)
        || words(clause)
            .iter()
            .any(|w| matches!(*w, "if" | "whether") || (asked && *w == "when"))
}

/// True when the pattern matches in a clause that is a statement, not a how-to question.
fn in_statement(re: &Regex, folded: &str) -> bool {
    clauses(folded)
        .iter()
        .any(|c| re.is_match(c) && !question_or_hypothetical(c))
}

/// Like [`in_statement`] over whole sentences, for patterns that span a "but"
/// ("the payment went through but my plan did not change").
fn in_statement_sentence(re: &Regex, folded: &str) -> bool {
    crate::text::sentences(folded)
        .iter()
        .any(|s| re.is_match(s) && !question_or_hypothetical(s))
}

re!(
    NEGATIVE_IMPERATIVE,
    r"^\s*(?:please\s+|pls\s+|just\s+|and\s+)?(?:don'?t|do\s+not|never)\s+(?:ever\s+)?(?:send|email|call|contact|charge|show|notify|remind|add|forward|transfer|connect|put|ask|text|message)\b"
);

/// "X is down" in a statement, but not "was down to a DNS change" (caused by) or "volume was
/// down 20%".
fn down_in_statement(re: &Regex, folded: &str) -> bool {
    clauses(folded).iter().any(|c| {
        !question_or_hypothetical(c)
            && re.find_iter(c).any(|m| {
                let next = words(&c[m.end()..]).first().copied().unwrap_or("");
                !matches!(next, "to" | "the" | "a" | "stairs")
                    && !next.starts_with(|ch: char| ch.is_ascii_digit())
            })
    })
}

/// A negated action in a statement, unless the one not acting is the person being addressed
/// ("you never reply" is a complaint about support, not about the product).
fn negated_action(folded: &str) -> bool {
    clauses(folded).iter().any(|c| {
        !question_or_hypothetical(c)
            && NEGATED_ACTION.find_iter(c).any(|m| {
                let prev = words(&c[..m.start()]).last().copied().unwrap_or("");
                let imperative = matches!(prev, "" | "please" | "pls" | "just" | "and" | "so")
                    && (m.as_str().starts_with("don") || m.as_str().starts_with("do "));
                !imperative
                    && !matches!(
                        prev,
                        "you" | "u" | "nobody" | "anyone" | "agents" | "support"
                    )
            })
    })
}

/// The HTTP status a statement reports, if any: a 4xx/5xx number standing alone (not part of
/// a phone number or an amount) and not counting things ("500 users").
fn status_code(folded: &str) -> Option<u16> {
    clauses(folded)
        .iter()
        .filter(|c| !question_or_hypothetical(c))
        .find_map(|c| {
            STATUS_CODE.captures_iter(c).find_map(|cap| {
                let next = cap.get(3).map_or("", |m| m.as_str());
                let counts = cap.get(2).is_none()
                    && next.len() > 2
                    && next.ends_with('s')
                    && !matches!(next, "errors" | "responses" | "codes" | "status" | "pages");
                if counts {
                    None
                } else {
                    cap.get(1).and_then(|m| m.as_str().parse().ok())
                }
            })
        })
}

pub(crate) fn analyse_message(text: &str) -> MessageSignals {
    let folded = fold(text);
    let compound = compound(text);
    let sentences = crate::text::sentences(&folded);
    let question = text.contains('?') || sentences.iter().any(|s| QUESTION_OPENER.is_match(s));
    let how_to = sentences.iter().any(|s| QUESTION_OPENER.is_match(s));

    let billing_topic = BILLING_TOPIC
        .find_iter(&folded)
        .filter(|m| {
            // "any plans to add …" is about intentions, not pricing plans; "someone in
            // charge" is about a person.
            let next = words(&folded[m.end()..]).first().copied().unwrap_or("");
            let prev = words(&folded[..m.start()]).last().copied().unwrap_or("");
            let intention = m.as_str().starts_with("plan") && matches!(next, "to" | "on" | "for");
            let in_charge = m.as_str() == "charge" && matches!(prev, "in" | "take" | "taking");
            let read_receipts = m.as_str().starts_with("receipt") && prev == "read";
            !intention && !in_charge && !read_receipts
        })
        .count();
    let money = billing_topic > 0
        && (in_statement(&BILLING_MONEY, &folded)
            || in_statement_sentence(&BILLING_MONEY, &folded));
    let trouble = billing_topic > 0 && in_statement(&BILLING_TROUBLE, &folded);
    let weak = billing_topic > 0 && !how_to && BILLING_WEAK.is_match(&folded);
    let billing_problem = money || trouble || weak;

    let compromise = COMPROMISE.is_match(&folded)
        || in_statement(&SECRET_EXPOSED, &folded)
        || (billing_topic == 0
            && (in_statement(&DIDNT_CREATE, &folded)
                || (in_statement(&WITHOUT_CONSENT, &folded) && TECH_TERM.is_match(&folded))));
    let access = in_statement(&ACCESS, &folded);
    // "the reset email never arrives so I can't log in" is the access problem, not a second,
    // separate malfunction: breakage counts only outside what made it an access problem.
    // Nor is a request ("please don't send me the newsletter") a report.
    let mut broken_text = if access {
        ACCESS.replace_all(&folded, " ").into_owned()
    } else {
        folded.clone()
    };
    for c in clauses(&folded) {
        if NEGATIVE_IMPERATIVE.is_match(&c) {
            broken_text = broken_text.replacen(c.trim(), " ", 1);
        }
    }
    let regression = clauses(&broken_text).iter().any(|c| {
        !question_or_hypothetical(c)
            && REGRESSION.captures(c).is_some_and(|m| {
                !matches!(
                    m.get(1).map_or("", |g| g.as_str()),
                    "i" | "we" | "you" | "really" | "just"
                )
            })
    });
    let status = status_code(&broken_text);
    let is_down = down_in_statement(&IS_DOWN, &broken_text);
    let down_now = down_in_statement(&DOWN_NOW, &broken_text);
    let malfunction = in_statement(&MALFUNCTION, &broken_text)
        || negated_action(&broken_text)
        || is_down
        || in_statement(&SYMPTOM, &broken_text)
        || status.is_some()
        || in_statement_sentence(&CONTRADICTION, &broken_text)
        || regression;
    let outage_question = OUTAGE_QUESTION.is_match(&broken_text);
    let malfunction = malfunction || outage_question;
    let gateway = status.is_some_and(|c| (502..=504).contains(&c));
    let outage = ((in_statement(&OUTAGE, &broken_text) || down_now || gateway) && malfunction)
        || outage_question;
    let data_loss = DATA_LOSS.is_match(&folded);
    let blocking = BLOCKING.is_match(&folded);
    let urgent_word = clauses(&folded).iter().any(|c| {
        URGENT_WORD
            .find(c)
            .is_some_and(|m| !negated(&last_words(&c[..m.start()], 3)))
    });
    let feature = FEATURE.is_match(&folded);
    let explicit = explicit_request(&folded);
    // The person asked for ("a staff member", "customer service") is not the topic.
    let topic_text = if explicit == Some(true) {
        PERSON.replace_all(&folded, " ").into_owned()
    } else {
        folded.clone()
    };
    let tech_terms = TECH_TERM.find_iter(&topic_text).count();
    let rest: Vec<&str> = sentences
        .iter()
        .copied()
        .filter(|s| {
            let short_greeting = GREETING.is_match(s) && words(s).len() <= 3;
            !short_greeting && !PREFACE.is_match(s)
        })
        .collect();
    let greeting_only = GREETING.is_match(&folded) && rest.is_empty();
    let not_helpful = NOT_HELPFUL.is_match(&folded);
    let affirm = AFFIRM.is_match(&folded) && !DISMISS.is_match(&folded);
    let dismiss = DISMISS.is_match(&folded);
    let closing = (CLOSING.is_match(&folded) || dismiss) && !not_helpful;
    let n_words = words(&folded).len();
    let substantive = !greeting_only && (question || (n_words >= 3 && !closing));
    let frustration = frustration(text, &folded, compound, how_to);
    MessageSignals {
        explicit,
        compound,
        frustration,
        billing_topic,
        billing_problem,
        billing_money: money,
        compromise,
        access,
        malfunction,
        outage,
        data_loss,
        blocking,
        urgent_word,
        feature,
        question,
        tech_terms,
        how_to: HOW_TO.is_match(&folded),
        about_company: ABOUT_COMPANY.is_match(&folded),
        greeting_only,
        closing,
        affirm,
        dismiss,
        not_helpful,
        substantive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asks(s: &str) -> Option<bool> {
        explicit_request(&fold(s))
    }

    #[test]
    fn requests_for_a_person_are_recognised_in_many_phrasings() {
        for s in [
            "I want to talk to a human",
            "Can I speak to a real person please?",
            "agent",
            "Representative!",
            "Please transfer me to someone from your support team.",
            "Could someone from your team call me back?",
            "Is there an actual human I can chat with?",
            "get me a person",
            "Can a human help me set up SSO?",
            "Why can't I talk to a human?",
            "Transfer me.",
            "I'm not chatting with a bot. Real person, now.",
            "I demand to speak to someone in charge",
        ] {
            assert_eq!(asks(s), Some(true), "{s}");
        }
    }

    #[test]
    fn negated_requests_are_not_requests() {
        for s in [
            "I don't need a human, just tell me how to change my password.",
            "No need to transfer me to anyone.",
            "I'd rather not talk to an agent.",
            "No human needed!",
            "Please don't connect me to a person, I'm just browsing.",
        ] {
            assert_eq!(asks(s), Some(false), "{s}");
        }
    }

    #[test]
    fn a_negation_in_another_clause_does_not_cancel_the_request() {
        assert_eq!(asks("I don't want a bot, I want a person."), Some(true));
        assert_eq!(
            asks("This doesn't work. Connect me with an agent."),
            Some(true)
        );
    }

    #[test]
    fn requests_in_other_languages_and_their_negations() {
        for s in [
            "Quiero hablar con una persona, por favor.",
            "Je voudrais parler à un conseiller.",
            "Ich möchte mit einem Mitarbeiter sprechen.",
            "Quero falar com um atendente humano.",
            "Kann ich bitte mit einem echten Menschen reden?",
            "¿Hay alguien con quien pueda hablar?",
        ] {
            assert_eq!(asks(s), Some(true), "{s}");
        }
        for s in [
            "No necesito hablar con una persona, solo dime cómo exportar.",
            "Je n'ai pas besoin d'un humain.",
            "Ich brauche keinen Menschen.",
            "Não preciso falar com um atendente.",
        ] {
            assert_eq!(asks(s), Some(false), "{s}");
        }
    }

    #[test]
    fn misspelt_person_words_still_ask_for_a_person() {
        for s in [
            "pls get me a humn",
            "I want to speak with a represntative",
            "can I talk to an opertor",
            "real persn please",
        ] {
            assert_eq!(asks(s), Some(true), "{s}");
        }
        // A real word one letter away is left alone ("argent" is money in French).
        assert_eq!(asks("je veux récupérer mon argent"), None);
    }

    #[test]
    fn channel_questions_and_the_users_customers_calling_are_not_requests() {
        for s in [
            "How do I contact support by email?",
            "What's the email address for your billing team?",
            "How do I let my visitors ask for a call back from the widget?",
            "Can I have several agents on one inbox?",
        ] {
            assert_ne!(asks(s), Some(true), "{s}");
        }
        for s in [
            "Who can I talk to about an enterprise contract?",
            "Could I have a specialist look at this?",
            "Est-ce que je peux avoir quelqu'un au téléphone ?",
        ] {
            assert_eq!(asks(s), Some(true), "{s}");
        }
    }

    #[test]
    fn person_words_about_the_product_or_the_users_own_team_are_not_requests() {
        for s in [
            "How do I assign a conversation to a human agent on my team?",
            "How do our customers reach a live agent from the chat widget?",
            "Can I customise the text of the 'Talk to a human' button?",
            "how do I transfer a conversation to another person on my team",
            "Is there a person field I can add to contacts?",
            "Does the API support pagination?",
            "Can you help me find the keyboard shortcuts?",
        ] {
            assert_ne!(asks(s), Some(true), "{s}");
        }
    }
}
