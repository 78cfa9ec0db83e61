//! Comparing the name in a greeting with the names a person goes by.

use super::normalize::fold;

/// Common English nicknames and their formal names (folded). Groups: every name in a
/// group is accepted for every other.
const NICKNAMES: &[&[&str]] = &[
    &[
        "elizabeth",
        "liz",
        "lizzie",
        "beth",
        "betty",
        "eliza",
        "liza",
        "libby",
        "betsy",
        "lisa",
        "elisabeth",
        "elise",
    ],
    &["robert", "bob", "bobby", "rob", "robbie", "bert"],
    &["william", "bill", "billy", "will", "willy", "liam"],
    &["richard", "rick", "ricky", "dick", "rich", "richie"],
    &["james", "jim", "jimmy", "jamie"],
    &["john", "jack", "johnny", "jon"],
    &["jonathan", "jon", "jonny", "nathan"],
    &[
        "margaret", "maggie", "meg", "peggy", "marge", "margie", "greta",
    ],
    &[
        "katherine",
        "catherine",
        "kathryn",
        "kate",
        "katie",
        "kathy",
        "cathy",
        "kat",
        "kit",
        "kitty",
    ],
    &["michael", "mike", "mikey", "mick", "micky"],
    &["thomas", "tom", "tommy"],
    &["christopher", "chris", "kit", "topher"],
    &[
        "christine",
        "christina",
        "chris",
        "chrissy",
        "tina",
        "kristina",
        "kristin",
    ],
    &["alexander", "alex", "alec", "sandy", "xander", "sasha"],
    &[
        "alexandra",
        "alex",
        "alexa",
        "sandra",
        "sandy",
        "lexi",
        "sasha",
    ],
    &["anthony", "tony"],
    &["antonio", "toni", "tony", "antonia"],
    &["joseph", "joe", "joey", "jo"],
    &["josephine", "jo", "josie"],
    &["daniel", "dan", "danny"],
    &["david", "dave", "davey"],
    &["edward", "ed", "eddie", "ted", "teddy", "ned"],
    &["theodore", "theo", "ted", "teddy"],
    &["charles", "charlie", "chuck", "chas"],
    &["charlotte", "charlie", "lottie"],
    &["samuel", "sam", "sammy"],
    &["samantha", "sam", "sammy"],
    &["benjamin", "ben", "benny", "benji"],
    &["nicholas", "nick", "nicky", "nico", "nicolas", "klaus"],
    &["matthew", "matt", "matty"],
    &["andrew", "andy", "drew"],
    &["stephen", "steven", "steve", "stevie"],
    &["patrick", "pat", "paddy"],
    &["patricia", "pat", "patty", "trish", "tricia"],
    &["jennifer", "jen", "jenny", "jenn"],
    &["rebecca", "becky", "becca"],
    &["susan", "sue", "susie", "suzanne"],
    &["deborah", "debra", "deb", "debbie"],
    &["victoria", "vicky", "tori"],
    &["gregory", "greg"],
    &["timothy", "tim", "timmy"],
    &["kenneth", "ken", "kenny"],
    &["ronald", "ron", "ronnie"],
    &["donald", "don", "donnie"],
    &["lawrence", "laurence", "larry"],
    &["frederick", "fred", "freddie", "fritz"],
    &["henry", "hank", "harry", "hal"],
    &["harold", "harry", "hal"],
    &["peter", "pete"],
    &["philip", "phillip", "phil"],
    &["raymond", "ray"],
    &["jacob", "jake"],
    &["joshua", "josh"],
    &["zachary", "zach", "zack"],
    &["abigail", "abby", "gail"],
    &["amanda", "mandy"],
    &["jessica", "jess", "jessie"],
    &["pamela", "pam"],
    &["dorothy", "dot", "dottie"],
    &["barbara", "barb", "babs"],
    &["judith", "judy"],
    &["cynthia", "cindy"],
    &["francis", "frank", "fran"],
    &["frances", "fran", "frankie"],
    &["francisco", "paco", "pancho", "cisco"],
    &["jose", "pepe"],
    &["manuel", "manolo", "manu"],
    &["guillermo", "memo"],
    &["eduardo", "edu", "lalo"],
    &["ignacio", "nacho"],
    &["roberto", "beto"],
    &["dolores", "lola"],
    &["giuseppe", "beppe", "peppe"],
    &["johannes", "hans", "jo"],
    &["wolfgang", "wolf"],
    &["vladimir", "vova", "volodya"],
    &["aleksandr", "sasha", "alexandr"],
    &["mohammed", "muhammad", "mohammad", "mohamed", "mo"],
    &["gabriel", "gabe"],
    &["gabrielle", "gabriela", "gabby", "gaby"],
    &["nathaniel", "nate", "nat"],
    &["natalie", "nat", "natalia", "tasha", "natasha"],
    &["isabel", "isabella", "izzy", "bella", "isa"],
    &["eleanor", "ellie", "nell", "nora"],
    &["cornelius", "neil"],
    &["leonard", "leo", "len", "lenny"],
    &["sebastian", "seb", "bastian"],
    &["maximilian", "max"],
    &["oliver", "ollie"],
    &["douglas", "doug"],
    &["gerald", "gerry", "jerry"],
    &["jeremy", "jerry"],
    &["jeffrey", "geoffrey", "jeff", "geoff"],
    &["walter", "walt", "wally"],
    &["albert", "al", "bert"],
    &["alfred", "alf", "fred"],
    &["dimitri", "dmitri", "dima"],
];

/// Folded words a name consists of ("José García-López" → jose, garcia, lopez).
pub fn name_words(name: &str) -> Vec<String> {
    fold(name)
        .split(' ')
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_string)
        .collect()
}

/// Whether a greeting word plausibly addresses a person known by `known` words.
/// Accepts equal words, nickname pairs, and a shared prefix of at least three letters
/// that is a whole word on one side ("Chris" / "Christopher", "Alex" / "Alexandra").
pub fn word_matches(greeting_word: &str, known: &str) -> bool {
    if greeting_word == known {
        return true;
    }
    let (short, long) = if greeting_word.len() <= known.len() {
        (greeting_word, known)
    } else {
        (known, greeting_word)
    };
    if short.chars().count() >= 3 && long.starts_with(short) {
        return true;
    }
    NICKNAMES
        .iter()
        .any(|group| group.contains(&greeting_word) && group.contains(&known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_and_prefixes() {
        assert!(word_matches("liz", "elizabeth"));
        assert!(word_matches("bob", "robert"));
        assert!(word_matches("bill", "william"));
        assert!(word_matches("chris", "christopher"));
        assert!(!word_matches("brian", "bruce"));
        assert!(!word_matches("jo", "john"));
        assert_eq!(name_words("José García-López"), ["jose", "garcia", "lopez"]);
    }
}
