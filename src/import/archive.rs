//! The LinkedIn export archive (`Basic_LinkedInDataExport_*.zip`).
//!
//! These archives are a few megabytes, so the whole file is read into memory and each
//! member is told apart by content like any other file. Members that are not one of
//! the three CSVs Rapport uses (profile, skills, ads data, ...) are ignored. A problem
//! in a member names it as `archive.zip/messages.csv`.

use super::linkedin::{detect_csv, CsvImport};
use super::{ImportError, Me, Place, Sink};
use std::io::{Cursor, Read};

/// A member that inflates beyond this is a zip bomb, not a LinkedIn export.
const MAX_MEMBER_BYTES: u64 = 512 << 20;

pub(crate) fn import_zip(bytes: &[u8], me: &Me, sink: &mut Sink) -> Result<(), ImportError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        sink.fatal(
            Place::File,
            format!("this zip archive is damaged ({e}): download the export from LinkedIn again"),
        )
    })?;
    let archive_name = sink.file().to_string();
    let mut used = 0;
    for index in 0..archive.len() {
        let mut member = archive.by_index(index).map_err(|e| {
            sink.fatal(
                Place::File,
                format!(
                    "member {} of the archive cannot be read ({e}): download the export again",
                    index + 1
                ),
            )
        })?;
        if member.is_dir() {
            continue;
        }
        let name = member.name().to_string();
        if member.size() > MAX_MEMBER_BYTES {
            sink.note(
                Place::File,
                format!("{name} inflates to more than 512 MB"),
                "ignored it",
            );
            continue;
        }
        let mut content = Vec::with_capacity(member.size() as usize);
        member.read_to_end(&mut content).map_err(|e| {
            sink.fatal(
                Place::File,
                format!(
                    "{name} in the archive cannot be unpacked ({e}): download the export again"
                ),
            )
        })?;
        let Some(format) = detect_csv(&content) else {
            continue;
        };
        used += 1;
        sink.file = format!("{archive_name}/{name}");
        let mut csv = CsvImport::new(format);
        let outcome = csv
            .push(&content, me, sink)
            .and_then(|()| csv.finish(me, sink));
        sink.file = archive_name.clone();
        outcome?;
    }
    if used == 0 {
        return Err(sink.fatal(
            Place::File,
            "this zip holds no LinkedIn messages.csv, Connections.csv or Invitations.csv: choose the archive from LinkedIn's \"Get a copy of your data\"",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::import::{import_bytes, Format, Me, Place};
    use std::io::Write;

    pub(crate) fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in members {
            out.start_file(*name, options).unwrap();
            out.write_all(content).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_the_linkedin_members_by_content() {
        let archive = zip_of(&[
            ("Profile.csv", b"First Name,Last Name,Headline\nDana,Whitfield,CEO\n"),
            ("Connections.csv", b"Notes:\n\"...\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nBrian,Miller,https://www.linkedin.com/in/brian-miller,brian@acme.io,Acme,CTO,12 Mar 2019\n"),
            ("messages.csv", b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\n1,,Brian Miller,https://www.linkedin.com/in/brian-miller,Dana,,2026-01-01 10:00:00 UTC,,hello,INBOX\n"),
        ]);
        let (batches, report) = import_bytes("export.zip", &archive, Me::default()).unwrap();
        assert_eq!(report.format, Format::LinkedinArchive);
        assert_eq!((report.contacts, report.messages), (1, 1));
        assert_eq!(batches.iter().map(|b| b.messages.len()).sum::<usize>(), 1);
    }

    #[test]
    fn member_problems_name_the_member_and_damage_is_fatal() {
        let archive = zip_of(&[(
            "messages.csv",
            b"CONVERSATION ID,FROM,DATE,CONTENT\n1,A,2026-01-01 10:00:00 UTC,\"open\n",
        )]);
        let err = import_bytes("export.zip", &archive, Me::default()).unwrap_err();
        assert_eq!(err.file, "export.zip/messages.csv");
        assert_eq!(err.place, Place::Line(2));
        let mut damaged = zip_of(&[("messages.csv", b"CONVERSATION ID,FROM,DATE,CONTENT\n")]);
        damaged.truncate(damaged.len() - 30);
        let err = import_bytes("export.zip", &damaged, Me::default()).unwrap_err();
        assert!(err.problem.contains("damaged"), "{err}");
        let unrelated = zip_of(&[("photo.txt", b"hello")]);
        assert!(import_bytes("x.zip", &unrelated, Me::default())
            .unwrap_err()
            .problem
            .contains("no LinkedIn"));
    }
}
