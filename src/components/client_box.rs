//! One client process (producer, consumer or admin client) in the diagram.

use yew::prelude::*;

use crate::view_model::diagram::ClientBox as ClientModel;

#[derive(Properties, PartialEq)]
pub struct ClientBoxProps {
    pub client: ClientModel,
}

#[function_component]
pub fn ClientBox(props: &ClientBoxProps) -> Html {
    let c = &props.client;
    html! {
        <g
            class={c.class.clone()}
            role="group"
            aria-label={c.label.clone()}
            transform={format!("translate({:.1} {:.1})", c.rect.x, c.rect.y)}
        >
            <title>{&c.tooltip}</title>
            <rect class="box" width={format!("{:.0}", c.rect.w)} height={format!("{:.0}", c.rect.h)} rx="6" />
            <text class="kind" x="12" y="18"><title>{crate::view_model::glossary::client_kind(c.kind)}</title>{c.kind}</text>
            if c.closed {
                <text class="closed" x={format!("{:.0}", c.rect.w - 10.0)} y="18" text-anchor="end">{"closed"}</text>
            }
            <text class="name" x="12" y="36">{&c.name}</text>
        </g>
    }
}
