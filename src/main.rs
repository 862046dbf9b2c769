//! Trunk's entry point: the page itself lives in the library so tests can mount it.

fn main() {
    kafka_playground::start();
}
