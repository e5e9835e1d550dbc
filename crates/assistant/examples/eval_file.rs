fn main() {
    let path = std::env::args().nth(1).expect("file");
    let text = std::fs::read_to_string(path).unwrap();
    let ex = support_chat_assistant::eval::parse_dataset(&text).unwrap();
    let r = support_chat_assistant::eval::evaluate(&ex, &Default::default());
    println!("{r}\n{}", r.mistakes_text());
}
