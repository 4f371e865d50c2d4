//! The stand-in's DNS side: an authoritative answer for each query, over UDP and TCP.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, SOA, TXT};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::watch;

use super::records::{DnsRecord, RecordKind, Records};

/// The TTL of every answer. Short, so that a resolver that does cache (a developer's system
/// resolver pointed here) soon sees a change.
const TTL: u32 = 5;
/// The largest UDP answer sent to a client that does not say (with EDNS) it takes more.
const CLASSIC_UDP_LIMIT: usize = 512;
/// The UDP payload the stand-in offers with EDNS, the size DNS Flag Day 2020 settled on.
const EDNS_UDP_PAYLOAD: u16 = 1232;
/// How long an idle TCP connection is kept open.
const TCP_IDLE: Duration = Duration::from_secs(10);

/// The answer to the DNS message `request`, encoded; `None` for what deserves no answer (a
/// response, or fewer than the two bytes of an id).
pub(crate) fn answer(records: &Records, request: &[u8], transport: Transport) -> Option<Vec<u8>> {
    // The QR bit marks a response: never answer one, even garbled, or two servers could end up
    // answering each other forever.
    if request.get(2).is_some_and(|flags| flags & 0x80 != 0) {
        return None;
    }
    let request = match Message::from_vec(request) {
        Ok(message) => message,
        Err(err) => {
            tracing::debug!(%err, "unreadable DNS message");
            let id = u16::from_be_bytes([*request.first()?, *request.get(1)?]);
            return Message::error_msg(id, OpCode::Query, ResponseCode::FormErr).to_vec().ok();
        }
    };
    let response = respond(records, &request);
    let encoded = response.to_vec().ok()?;
    let limit = match transport {
        Transport::Tcp => usize::from(u16::MAX),
        Transport::Udp if request.extensions().is_some() => usize::from(request.max_payload().min(EDNS_UDP_PAYLOAD)),
        Transport::Udp => CLASSIC_UDP_LIMIT,
    };
    if encoded.len() <= limit {
        return Some(encoded);
    }
    // Too long for this transport: the truncated answer tells the client to ask over TCP.
    response.truncate().to_vec().ok()
}

/// The transport a query came over, which bounds the answer's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// UDP: 512 bytes, or what EDNS allows.
    Udp,
    /// TCP: up to 64 KiB.
    Tcp,
}

/// The response to a decoded query, as an authoritative server for every name would give it.
fn respond(records: &Records, request: &Message) -> Message {
    let mut response = Message::new();
    response
        .set_id(request.id())
        .set_message_type(MessageType::Response)
        .set_op_code(request.op_code())
        .set_recursion_desired(request.recursion_desired())
        .set_recursion_available(false);
    if request.extensions().is_some() {
        let mut edns = Edns::new();
        edns.set_max_payload(EDNS_UDP_PAYLOAD);
        response.set_edns(edns);
    }
    if request.op_code() != OpCode::Query {
        response.set_response_code(ResponseCode::NotImp);
        return response;
    }
    let [query] = request.queries() else {
        response.set_response_code(ResponseCode::FormErr);
        return response;
    };
    response.add_query(query.clone());
    if query.query_class() != DNSClass::IN {
        response.set_response_code(ResponseCode::Refused);
        return response;
    }
    response.set_authoritative(true);

    let asked = query.name().to_ascii();
    let name = asked.strip_suffix('.').unwrap_or(&asked).to_ascii_lowercase();
    let at_name = records.at(&name);
    let cname = at_name.iter().find(|r| r.kind == RecordKind::Cname);
    let matching: Vec<&DnsRecord> = match (query.query_type(), cname) {
        (RecordType::ANY, _) => at_name.iter().collect(),
        // A name with a CNAME has no other data: the CNAME is the answer to every type, and the
        // resolver follows it (the stand-in follows nothing itself).
        (asked_type, Some(cname)) if asked_type != RecordType::CNAME => vec![cname],
        (asked_type, _) => at_name.iter().filter(|r| record_type(r.kind) == asked_type).collect(),
    };
    // Answers carry the name as asked, case included (resolvers may randomise it).
    let answers: Vec<Record> = matching.into_iter().filter_map(|r| to_record(query.name(), r)).collect();
    if answers.is_empty() {
        let code = if records.name_exists(&name) { ResponseCode::NoError } else { ResponseCode::NXDomain };
        response.set_response_code(code);
        // The SOA makes the negative answer authoritative (resolvers trust it and stop asking).
        response.add_name_server(soa());
    } else {
        response.add_answers(answers);
    }
    tracing::debug!(%name, query_type = %query.query_type(), code = %response.response_code(), answers = response.answers().len(), "DNS query");
    response
}

/// The DNS type of a kind of record.
fn record_type(kind: RecordKind) -> RecordType {
    match kind {
        RecordKind::A => RecordType::A,
        RecordKind::Aaaa => RecordType::AAAA,
        RecordKind::Cname => RecordType::CNAME,
        RecordKind::Txt => RecordType::TXT,
    }
}

/// `record` as a DNS record owned by `owner`; `None` if its stored value no longer parses
/// (it cannot: values are checked when added).
fn to_record(owner: &Name, record: &DnsRecord) -> Option<Record> {
    let data = match record.kind {
        RecordKind::A => RData::A(A(record.value.parse::<Ipv4Addr>().ok()?)),
        RecordKind::Aaaa => RData::AAAA(AAAA(record.value.parse::<Ipv6Addr>().ok()?)),
        RecordKind::Cname => RData::CNAME(CNAME(Name::from_ascii(format!("{}.", record.value)).ok()?)),
        RecordKind::Txt => RData::TXT(TXT::new(character_strings(&record.value))),
    };
    Some(Record::from_rdata(owner.clone(), TTL, data))
}

/// `text` cut into TXT character-strings of at most 255 bytes, never inside a character.
fn character_strings(text: &str) -> Vec<String> {
    let mut strings = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = rest.len().min(255);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (head, tail) = rest.split_at(end);
        strings.push(head.to_owned());
        rest = tail;
    }
    strings
}

/// The SOA in negative answers: one zone, the root, served by the stand-in; its minimum is
/// the TTL of "no such record".
fn soa() -> Record {
    let server = Name::from_ascii("dns-standin.zelly.invalid.").unwrap_or_else(|_| Name::root());
    let contact = Name::from_ascii("hostmaster.zelly.invalid.").unwrap_or_else(|_| Name::root());
    Record::from_rdata(Name::root(), TTL, RData::SOA(SOA::new(server, contact, 1, 3600, 600, 86400, TTL)))
}

/// Answers UDP queries until `shutdown` changes or is dropped.
pub(crate) async fn serve_udp(socket: UdpSocket, records: Records, mut shutdown: watch::Receiver<bool>) {
    // The largest UDP datagram; EDNS clients may send queries longer than 512 bytes.
    let mut buffer = vec![0u8; 65_535];
    loop {
        let (len, peer) = tokio::select! {
            received = socket.recv_from(&mut buffer) => match received {
                Ok(received) => received,
                Err(err) => {
                    // ICMP errors of earlier replies surface here on some systems; keep serving.
                    tracing::debug!(%err, "UDP receive failed");
                    continue;
                }
            },
            _ = shutdown.changed() => return,
        };
        if let Some(reply) = answer(&records, &buffer[..len], Transport::Udp)
            && let Err(err) = socket.send_to(&reply, peer).await
        {
            tracing::debug!(%err, %peer, "UDP reply not sent");
        }
    }
}

/// Accepts TCP connections until `shutdown` changes or is dropped, each served in its own task.
pub(crate) async fn serve_tcp(listener: TcpListener, records: Records, mut shutdown: watch::Receiver<bool>) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::warn!(%err, "TCP accept failed");
                    // Out of file descriptors and the like: give the system a moment.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => return,
        };
        let (records, mut shutdown) = (records.clone(), shutdown.clone());
        tokio::spawn(async move {
            tokio::select! {
                () = serve_tcp_connection(stream, &records) => {},
                _ = shutdown.changed() => {},
            }
        });
    }
}

/// Answers the length-prefixed queries of one TCP connection until it closes or idles.
async fn serve_tcp_connection(mut stream: TcpStream, records: &Records) {
    loop {
        let mut length = [0u8; 2];
        match tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut length)).await {
            Ok(Ok(_)) => {}
            // Closed by the client, broken, or idle: all end the connection.
            _ => return,
        }
        let mut request = vec![0u8; usize::from(u16::from_be_bytes(length))];
        if !matches!(tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut request)).await, Ok(Ok(_))) {
            return;
        }
        let Some(reply) = answer(records, &request, Transport::Tcp) else { continue };
        let Ok(reply_length) = u16::try_from(reply.len()) else { return };
        let mut framed = Vec::with_capacity(reply.len() + 2);
        framed.extend_from_slice(&reply_length.to_be_bytes());
        framed.extend_from_slice(&reply);
        if stream.write_all(&framed).await.is_err() {
            return;
        }
    }
}

/// A query for `name` and `query_type`, encoded, as a client would send it: for tests that
/// speak DNS to the stand-in without a resolver.
pub fn encode_query(id: u16, name: &str, query_type: RecordType) -> Result<Vec<u8>, hickory_proto::ProtoError> {
    let mut message = Message::new();
    message
        .set_id(id)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(true)
        .add_query(Query::query(Name::from_ascii(name)?, query_type));
    message.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(records: &Records, name: &str, query_type: RecordType) -> Message {
        let request = encode_query(7, name, query_type).expect("a query");
        let reply = answer(records, &request, Transport::Udp).expect("an answer");
        Message::from_vec(&reply).expect("a DNS message")
    }

    fn records() -> Records {
        Records::new([
            DnsRecord::txt("_zelly.shop.example.com", "token").expect("TXT"),
            DnsRecord::cname("www.example.com", "stores.zelly.app").expect("CNAME"),
            DnsRecord::a("stores.zelly.app", Ipv4Addr::new(192, 0, 2, 10)).expect("A"),
        ])
    }

    #[test]
    fn an_unknown_name_is_nxdomain_with_an_soa() {
        let reply = ask(&records(), "nothing.example.com.", RecordType::TXT);
        assert_eq!(reply.id(), 7);
        assert_eq!(reply.response_code(), ResponseCode::NXDomain);
        assert!(reply.authoritative());
        assert!(reply.name_servers().iter().any(|r| r.record_type() == RecordType::SOA));
    }

    #[test]
    fn a_name_above_a_record_exists_without_data() {
        let reply = ask(&records(), "shop.example.com.", RecordType::A);
        assert_eq!(reply.response_code(), ResponseCode::NoError);
        assert!(reply.answers().is_empty());
    }

    #[test]
    fn an_a_query_at_a_cname_is_answered_with_the_cname_only() {
        let reply = ask(&records(), "WWW.example.com.", RecordType::A);
        assert_eq!(reply.response_code(), ResponseCode::NoError);
        let [answer] = reply.answers() else { panic!("answers: {:?}", reply.answers()) };
        assert_eq!(answer.name().to_ascii(), "WWW.example.com.", "the name as asked");
        assert_eq!(answer.data(), &RData::CNAME(CNAME(Name::from_ascii("stores.zelly.app.").expect("a name"))));
    }

    #[test]
    fn a_long_txt_value_travels_as_several_strings_and_over_udp_is_truncated() {
        let long = "x".repeat(600);
        let records = Records::new([DnsRecord::txt("long.example.com", &long).expect("TXT")]);
        let udp = ask(&records, "long.example.com.", RecordType::TXT);
        assert!(udp.truncated(), "a 600-byte answer does not fit 512 bytes of UDP");

        let request = encode_query(8, "long.example.com.", RecordType::TXT).expect("a query");
        let tcp = Message::from_vec(&answer(&records, &request, Transport::Tcp).expect("an answer")).expect("a message");
        let RData::TXT(txt) = tcp.answers()[0].data() else { panic!("not TXT") };
        assert_eq!(txt.txt_data().iter().map(|s| s.len()).collect::<Vec<_>>(), [255, 255, 90]);
        assert_eq!(txt.txt_data().concat(), long.as_bytes());
    }

    #[test]
    fn garbage_gets_formerr_and_a_response_gets_nothing() {
        let reply = answer(&records(), &[0x12, 0x34, 0x01], Transport::Udp).expect("an answer");
        let reply = Message::from_vec(&reply).expect("a message");
        assert_eq!((reply.id(), reply.response_code()), (0x1234, ResponseCode::FormErr));

        let mut response = Message::from_vec(&encode_query(9, "a.example.com.", RecordType::A).expect("a query")).expect("a message");
        response.set_message_type(MessageType::Response);
        assert_eq!(answer(&records(), &response.to_vec().expect("bytes"), Transport::Udp), None);
    }
}
