//! Push-driven CSV records over `csv-core`, with the line each record starts on.
//!
//! The `csv` crate pulls from `io::Read`; the options page pushes `Blob.slice` chunks,
//! so this drives `csv-core`'s resumable state machine directly and adds what error
//! messages need: the physical start line of each record and whether its raw text had
//! an odd number of quote characters (a well-formed record never does, so an odd count
//! is the signature of an unbalanced quote).

use csv_core::{ReadRecordResult, Reader};

/// A field longer than this is a runaway quote, not a message.
const MAX_RECORD_BYTES: usize = 32 << 20;

pub(crate) struct Record<'a> {
    pub line: u64,
    pub odd_quotes: bool,
    fields: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Record<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.fields[start..end])
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The fields as text when every one of them is UTF-8: the row is validated once,
    /// not once per field read. `None` means some field is not UTF-8.
    pub fn text(&self) -> Option<TextRecord<'a>> {
        let fields = std::str::from_utf8(self.fields).ok()?;
        // Valid as a whole is not enough: a boundary could split a character.
        self.ends
            .iter()
            .all(|&end| fields.is_char_boundary(end))
            .then_some(TextRecord {
                fields,
                ends: self.ends,
            })
    }
}

pub(crate) struct TextRecord<'a> {
    fields: &'a str,
    ends: &'a [usize],
}

impl<'a> TextRecord<'a> {
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.fields[start..end])
    }
}

pub(crate) enum CsvProblem<E> {
    /// A record grew past [`MAX_RECORD_BYTES`]; the line it started on.
    Runaway(u64),
    Consumer(E),
}

pub(crate) struct CsvStream {
    core: Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
    outlen: usize,
    endlen: usize,
    quotes: usize,
    in_record: bool,
    record_line: u64,
    line: u64,
    /// Bytes held back until the byte-order mark question is settled.
    head: Option<Vec<u8>>,
}

impl CsvStream {
    pub fn new() -> Self {
        CsvStream {
            core: Reader::new(),
            fields: vec![0; 4096],
            ends: vec![0; 32],
            outlen: 0,
            endlen: 0,
            quotes: 0,
            in_record: false,
            record_line: 1,
            line: 1,
            head: Some(Vec::new()),
        }
    }

    pub fn push<E>(
        &mut self,
        chunk: &[u8],
        each: &mut dyn FnMut(&Record) -> Result<(), E>,
    ) -> Result<(), CsvProblem<E>> {
        if let Some(mut head) = self.head.take() {
            head.extend_from_slice(chunk);
            if head.len() < 3 && b"\xEF\xBB\xBF".starts_with(&head) {
                self.head = Some(head);
                return Ok(());
            }
            // csv-core drops one byte-order mark itself when its first input holds all
            // three bytes, which the hold-back above guarantees; stripping one here too
            // would eat a second mark only when it arrives in the same chunk.
            return self.feed(&head, each);
        }
        self.feed(chunk, each)
    }

    pub fn finish<E>(
        &mut self,
        each: &mut dyn FnMut(&Record) -> Result<(), E>,
    ) -> Result<(), CsvProblem<E>> {
        if let Some(head) = self.head.take() {
            self.feed(&head, each)?;
        }
        self.feed(&[], each)
    }

    /// Empty `input` means end of file (csv-core's convention).
    fn feed<E>(
        &mut self,
        mut input: &[u8],
        each: &mut dyn FnMut(&Record) -> Result<(), E>,
    ) -> Result<(), CsvProblem<E>> {
        let at_end = input.is_empty();
        loop {
            if input.is_empty() && !at_end {
                return Ok(());
            }
            let (result, nin, nout, nend) = self.core.read_record(
                input,
                &mut self.fields[self.outlen..],
                &mut self.ends[self.endlen..],
            );
            let consumed = &input[..nin];
            if !self.in_record {
                let blank = consumed
                    .iter()
                    .take_while(|&&b| b == b'\n' || b == b'\r')
                    .count();
                if blank < consumed.len() {
                    self.in_record = true;
                    self.record_line = self.line + newlines(&consumed[..blank]);
                }
            }
            // Vectorized counts: a byte-by-byte filter here cost a third of the import.
            self.line += newlines(consumed);
            self.quotes += memchr::memchr_iter(b'"', consumed).count();
            input = &input[nin..];
            self.outlen += nout;
            self.endlen += nend;
            match result {
                ReadRecordResult::InputEmpty => {
                    if at_end {
                        continue;
                    }
                }
                ReadRecordResult::OutputFull => {
                    if self.fields.len() >= MAX_RECORD_BYTES {
                        return Err(CsvProblem::Runaway(self.record_line));
                    }
                    let grown = self.fields.len() * 2;
                    self.fields.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => {
                    let record = Record {
                        line: self.record_line,
                        odd_quotes: self.quotes % 2 == 1,
                        fields: &self.fields[..self.outlen],
                        ends: &self.ends[..self.endlen],
                    };
                    let outcome = each(&record);
                    self.outlen = 0;
                    self.endlen = 0;
                    self.quotes = 0;
                    self.in_record = false;
                    outcome.map_err(CsvProblem::Consumer)?;
                }
                ReadRecordResult::End => return Ok(()),
            }
        }
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(chunks: &[&[u8]]) -> Vec<(u64, bool, Vec<String>)> {
        let mut out = Vec::new();
        let mut stream = CsvStream::new();
        let mut each = |r: &Record| -> Result<(), ()> {
            out.push((
                r.line,
                r.odd_quotes,
                r.iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            ));
            Ok(())
        };
        for chunk in chunks {
            assert!(stream.push(chunk, &mut each).is_ok());
        }
        assert!(stream.finish(&mut each).is_ok());
        out
    }

    #[test]
    fn records_survive_any_chunking_and_know_their_line() {
        let text: &[u8] = b"\xEF\xBB\xBFa,b\r\n\"x, \"\"y\"\"\r\nz\",2\r\n\r\nlast,3";
        let whole = records(&[text]);
        assert_eq!(
            whole,
            vec![
                (1, false, vec!["a".into(), "b".into()]),
                (2, false, vec!["x, \"y\"\r\nz".into(), "2".into()]),
                (5, false, vec!["last".into(), "3".into()]),
            ]
        );
        let bytes: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(records(&bytes), whole);
    }

    #[test]
    fn text_is_refused_when_a_field_boundary_splits_a_character() {
        // The field bytes joined are "é", valid UTF-8, but each field alone is not.
        let mut stream = CsvStream::new();
        let mut texts = Vec::new();
        let mut each = |r: &Record| -> Result<(), ()> {
            texts.push(r.text().map(|t| t.get(1).unwrap_or_default().to_string()));
            Ok(())
        };
        assert!(stream.push(b"\xC3,\xA9\nok,\xC3\xA9\n", &mut each).is_ok());
        assert!(stream.finish(&mut each).is_ok());
        assert_eq!(texts, vec![None, Some("é".to_string())]);
    }

    #[test]
    fn an_unclosed_quote_shows_as_odd_quotes() {
        let got = records(&[b"a,b\n1,\"Hi Brian, no end\n2,x\n"]);
        assert_eq!(got.len(), 2);
        assert!(got[1].1);
        assert_eq!(got[1].0, 2);
    }
}
