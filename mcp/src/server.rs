//! The MCP side: tools, resources and their change notifications, on top of
//! the control-mode connection. Every command names the caller's own session
//! (`-t $N`, `-s $N`), so the caller can only act as itself.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate, ResourceUpdatedNotificationParam, ServerCapabilities,
    ServerConfig, SubscribeRequestParams, SubscriptionFilter, Tool, UnsubscribeRequestParams,
};
use rmcp::service::{RequestContext, SubscriptionContext, SubscriptionSink};
use rmcp::{ErrorData, Peer, RoleServer, ServerHandler};
use serde_json::{json, Value};

use crate::control::{run_client, Control, Event};
use crate::quote::command;
use crate::tools::{self, Args, Kind};

/// The server-wide user option that makes every tool that changes something
/// fail (`set -g @agent-mcp-read-only on`).
pub const READ_ONLY_OPTION: &str = "@agent-mcp-read-only";

/// The format of a peer's agent state: the session's aggregate of its
/// agent panes (starting, working, waiting, idle, exited; waiting beats
/// working beats starting beats idle), empty for a session without one.
pub const STATE_FORMAT: &str = "#{agent_session_state}";
/// Its reason (`permission`, `question`, `stop`, ...).
pub const REASON_FORMAT: &str = "#{agent_session_state_reason}";

pub const CONTEXT_URI: &str = "agent-tmux://context";
pub const CONTEXT_KEY_URI: &str = "agent-tmux://context/";
pub const INBOX_URI: &str = "agent-tmux://inbox";

pub struct Identity {
    pub tmux: String,
    pub socket: String,
    pub session: String,
    pub pane: String,
}

struct Subscriptions {
    /// URIs subscribed with resources/subscribe, and who to tell.
    legacy: HashSet<String>,
    peer: Option<Peer<RoleServer>>,
    /// Open subscriptions/listen streams.
    listens: Vec<SubscriptionSink>,
}

struct Inner {
    id: Identity,
    control: Control,
    group: Mutex<Option<String>>,
    subs: Mutex<Subscriptions>,
}

#[derive(Clone)]
pub struct Server(Arc<Inner>);

fn text(s: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(s)])
}

fn failed(s: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(s)])
}

fn parse(s: &str) -> Result<Value, String> {
    serde_json::from_str(s).map_err(|e| format!("unexpected reply from tmux: {e}"))
}

impl Server {
    pub async fn new(id: Identity, control: Control) -> Server {
        let server = Server(Arc::new(Inner {
            id,
            control,
            group: Mutex::new(None),
            subs: Mutex::new(Subscriptions {
                legacy: HashSet::new(),
                peer: None,
                listens: Vec::new(),
            }),
        }));
        let mut events = server.0.control.subscribe();
        server.refresh_group().await;
        let s = server.clone();
        tokio::spawn(async move {
            while let Ok(event) = events.recv().await {
                s.on_event(event).await;
            }
        });
        server
    }

    fn sid(&self) -> &str {
        &self.0.id.session
    }

    async fn tmux(&self, name: &str, args: &[&str]) -> Result<String, String> {
        self.0.control.run(command(name, args)).await
    }

    /// A waiting command, in a `tmux` client process of its own.
    async fn client(&self, args: &[&str]) -> Result<String, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        run_client(&self.0.id.tmux, &self.0.id.socket, &args).await
    }

    async fn format(&self, target: &str, format: &str) -> Result<String, String> {
        self.tmux("display-message", &["-p", "-t", target, format])
            .await
    }

    async fn refresh_group(&self) -> Option<String> {
        let g = self
            .format(self.sid(), "#{agent_group}")
            .await
            .ok()
            .filter(|g| !g.is_empty());
        *self.0.group.lock().unwrap() = g.clone();
        g
    }

    async fn read_only(&self) -> bool {
        let v = self
            .tmux("show-options", &["-gqv", READ_ONLY_OPTION])
            .await
            .unwrap_or_default();
        matches!(v.trim(), "on" | "1" | "yes" | "true")
    }

    async fn on_event(&self, event: Event) {
        let uris = match event {
            Event::ContextChanged { group, key } => {
                let mine = self.0.group.lock().unwrap().clone();
                if mine.as_deref() != Some(group.as_str()) {
                    return;
                }
                vec![CONTEXT_URI.to_string(), format!("{CONTEXT_KEY_URI}{key}")]
            }
            Event::GroupChanged { session } if session == self.sid() => {
                self.refresh_group().await;
                let mut uris = vec![CONTEXT_URI.to_string()];
                let subs = self.0.subs.lock().unwrap();
                uris.extend(
                    subs.legacy
                        .iter()
                        .filter(|u| u.starts_with(CONTEXT_KEY_URI))
                        .cloned(),
                );
                uris
            }
            Event::Message { to } if to == self.sid() => vec![INBOX_URI.to_string()],
            _ => return,
        };
        let (peer, legacy, listens) = {
            let subs = self.0.subs.lock().unwrap();
            let legacy: Vec<String> = uris
                .iter()
                .filter(|u| subs.legacy.contains(*u))
                .cloned()
                .collect();
            (subs.peer.clone(), legacy, subs.listens.clone())
        };
        if let Some(peer) = peer {
            for uri in legacy {
                let _ = peer
                    .notify_resource_updated(ResourceUpdatedNotificationParam::new(uri))
                    .await;
            }
        }
        for sink in listens {
            let wanted = sink
                .accepted()
                .resource_subscriptions
                .clone()
                .unwrap_or_default();
            for uri in uris.iter().filter(|u| wanted.contains(u)) {
                let _ = sink.notify_resource_updated(uri.clone()).await;
            }
        }
    }

    /// The group as `agent-peers -J` shows it (an error outside a group).
    async fn peers_json(&self) -> Result<Value, String> {
        parse(&self.tmux("agent-peers", &["-J", "-t", self.sid()]).await?)
    }

    /// A peer by session name or id: its id and name.
    async fn find_peer(&self, who: &str) -> Result<(String, String), String> {
        let group = self.peers_json().await?;
        let peers = group["peers"].as_array().cloned().unwrap_or_default();
        peers
            .iter()
            .find(|p| p["session_id"] == who || p["session_name"] == who)
            .map(|p| {
                (
                    p["session_id"].as_str().unwrap_or("").to_string(),
                    p["session_name"].as_str().unwrap_or("").to_string(),
                )
            })
            .ok_or_else(|| {
                format!(
                    "not a peer: {who} (not in group '{}')",
                    group["group"].as_str().unwrap_or("")
                )
            })
    }

    /// A session's agent state and its reason (both empty without one).
    async fn state_of(&self, session: &str) -> Result<(String, String), String> {
        let line = self
            .format(session, &format!("{STATE_FORMAT}\t{REASON_FORMAT}"))
            .await?;
        let (state, reason) = line.split_once('\t').unwrap_or((line.as_str(), ""));
        Ok((state.to_string(), reason.to_string()))
    }

    async fn call(
        &self,
        name: &str,
        args: Option<serde_json::Map<String, Value>>,
    ) -> Result<CallToolResult, String> {
        let spec = tools::find(name).ok_or_else(|| format!("unknown tool: {name}"))?;
        let a = Args::check(spec, args)?;
        let takes = a.flag("take")?;
        if (spec.kind == Kind::Write || takes) && self.read_only().await {
            return Err(format!("read-only: {READ_ONLY_OPTION} is on"));
        }
        let sid = self.sid().to_string();
        let sid = sid.as_str();
        match name {
            "whoami" => {
                let line = self
                    .format(
                        sid,
                        "#{session_id}\t#{session_name}\t#{agent_group}\t#{agent_role}\t#{agent_type}",
                    )
                    .await?;
                let f: Vec<&str> = line.split('\t').collect();
                let field = |i: usize| f.get(i).copied().filter(|s| !s.is_empty());
                let mut peers = Vec::new();
                if field(2).is_some() {
                    let g = self.peers_json().await?;
                    for p in g["peers"].as_array().into_iter().flatten() {
                        peers.push(p["session_name"].clone());
                    }
                }
                Ok(text(
                    json!({
                        "session_id": field(0),
                        "session_name": f.get(1).copied().unwrap_or(""),
                        "pane_id": self.0.id.pane,
                        "agent_type": field(4),
                        "group": field(2),
                        "role": field(3),
                        "peers": peers,
                        "read_only": self.read_only().await,
                    })
                    .to_string(),
                ))
            }
            "list_peers" => {
                let g = self.peers_json().await?;
                let states = self
                    .tmux(
                        "agent-peers",
                        &[
                            "-t",
                            sid,
                            "-F",
                            &format!("#{{session_id}}\t{STATE_FORMAT}\t{REASON_FORMAT}"),
                        ],
                    )
                    .await?;
                let field = |id: &str, i: usize| {
                    states
                        .lines()
                        .find_map(|l| l.strip_prefix(id)?.strip_prefix('\t'))
                        .and_then(|rest| rest.split('\t').nth(i))
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                };
                let peers: Vec<Value> = g["peers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        let id = p["session_id"].as_str().unwrap_or("");
                        json!({
                            "session_id": id,
                            "session_name": p["session_name"],
                            "agent_type": p["agent_type"],
                            "goal": p["goal"],
                            "role": p["role"],
                            "state": field(id, 0),
                            "state_reason": field(id, 1),
                            "unread": p["unread"],
                        })
                    })
                    .collect();
                Ok(text(
                    json!({"group": g["group"], "role": g["role"], "peers": peers}).to_string(),
                ))
            }
            "get_context" => match a.string("key")? {
                Some(key) => Ok(text(
                    self.tmux("agent-get", &["-J", "-t", sid, "--", key])
                        .await?,
                )),
                None => {
                    let g = self.peers_json().await?;
                    Ok(text(
                        json!({"group": g["group"], "version": g["version"], "context": g["context"]})
                            .to_string(),
                    ))
                }
            },
            "share" => {
                let key = a.required_string("key")?;
                let value = a.value("value").cloned().unwrap_or(Value::Null);
                let as_json = a.flag("as_json")?;
                match (&value, as_json) {
                    (Value::String(s), false) => {
                        self.tmux("agent-share", &["-q", "-t", sid, "-k", key, "-v", s])
                            .await?
                    }
                    _ => {
                        self.tmux(
                            "agent-share",
                            &["-qj", "-t", sid, "-k", key, "-v", &value.to_string()],
                        )
                        .await?
                    }
                };
                Ok(text(format!("shared {key}")))
            }
            "unset" => {
                let key = a.required_string("key")?;
                self.tmux("agent-share", &["-q", "-t", sid, "-u", key])
                    .await?;
                Ok(text(format!("removed {key}")))
            }
            "send_message" => {
                let msg = a.required_string("text")?;
                let to = a.string("to")?;
                let group = a.flag("group")?;
                let out = match (to, group) {
                    (Some(to), false) => {
                        let target = if to.starts_with('$') {
                            to.to_string()
                        } else {
                            format!("={to}")
                        };
                        self.tmux("agent-send", &["-s", sid, "-t", &target, "--", msg])
                            .await?
                    }
                    (None, true) => {
                        let Some(g) = self.refresh_group().await else {
                            // The server's own words for a session in no group.
                            self.peers_json().await?;
                            return Err("not in a group".into());
                        };
                        self.tmux("agent-send", &["-s", sid, "-g", &g, "--", msg])
                            .await?
                    }
                    _ => return Err("one of to and group is needed, not both".into()),
                };
                Ok(text(out))
            }
            "read_inbox" => {
                let mut args = vec!["-J", "-t", sid];
                if takes {
                    args.push("-c");
                }
                let n;
                if let Some(count) = a.count("count")? {
                    n = count.to_string();
                    args.extend(["-n", n.as_str()]);
                }
                Ok(text(self.tmux("agent-inbox", &args).await?))
            }
            "wait_for_key" => {
                let key = a.required_string("key")?;
                let t = a.timeout()?;
                let mut args = vec!["agent-wait", "-t", sid, "-T", &t];
                // "Changed" is since this call: the context version read
                // now, so a write before the waiting client connects
                // still counts.
                let since;
                if a.flag("changed")? {
                    since = self.peers_json().await?["version"]
                        .as_u64()
                        .ok_or("agent-peers -J gave no context version")?
                        .to_string();
                    args.extend(["-V", since.as_str()]);
                }
                args.extend(["--", key]);
                Ok(text(self.client(&args).await?))
            }
            "wait_for_message" => {
                let t = a.timeout()?;
                let mut args = vec!["agent-wait", "-m", "-t", sid, "-T", &t];
                if takes {
                    args.push("-c");
                }
                Ok(text(self.client(&args).await?))
            }
            "wait_for_peer" => {
                let who = a.required_string("peer")?;
                let t = a.timeout()?;
                let (id, name) = self.find_peer(who).await?;
                let (state, _) = self.state_of(&id).await?;
                if state.is_empty() {
                    // No agent state: its output going quiet is all there is.
                    self.client(&["agent-wait", "-i", "-t", &id, "-T", &t])
                        .await?;
                } else {
                    self.client(&[
                        "agent-wait",
                        "-S",
                        "idle,waiting,exited",
                        "-t",
                        &id,
                        "-T",
                        &t,
                    ])
                    .await?;
                }
                let (state, reason) = self.state_of(&id).await?;
                let shown = |s: String| (!s.is_empty()).then_some(s);
                Ok(text(
                    json!({"session_id": id, "session_name": name, "state": shown(state),
                        "state_reason": shown(reason)})
                    .to_string(),
                ))
            }
            "prompt_peer" => {
                let who = a.required_string("peer")?;
                let msg = a.required_string("text")?;
                let defer = a.flag_or("defer", true)?;
                let force = a.flag("force")?;
                let (id, name) = self.find_peer(who).await?;
                let (state, reason) = self.state_of(&id).await?;
                // As agent-prompt does: an idle agent gets it now, a starting
                // or working one when it is next idle (-b: the receipt id
                // comes back at once), -n refuses instead; never into a
                // dialog that waits for a human unless forced (-f).
                let mut args = vec!["agent-prompt"];
                if force {
                    args.extend(["-f", "-b"]);
                } else {
                    match state.as_str() {
                        "idle" => {}
                        "starting" | "working" if defer => args.push("-b"),
                        "starting" | "working" => args.push("-n"),
                        "waiting" => {
                            return Err(format!(
                                "peer '{name}' is waiting ({reason}): it needs a human, not \
                                 prompting (force: true prompts anyway)"
                            ))
                        }
                        "exited" => return Err(format!("peer '{name}' has exited: not prompting")),
                        _ => {
                            return Err(format!(
                                "peer '{name}' shows no agent state: not prompting \
                                 (force: true prompts anyway)"
                            ))
                        }
                    }
                }
                args.extend(["-t", &id, "--", msg]);
                let out = self.client(&args).await?;
                let receipt = out.trim();
                Ok(text(if force {
                    format!("prompted {name} (forced, receipt {receipt})")
                } else if args.contains(&"-b") {
                    format!("queued for {name} (receipt {receipt}): it is {state}, the prompt goes in when it is idle")
                } else {
                    format!("prompted {name}")
                }))
            }
            _ => Err(format!("unknown tool: {name}")),
        }
    }

    async fn read(&self, uri: &str) -> Result<String, String> {
        if uri == CONTEXT_URI {
            let g = self.peers_json().await?;
            Ok(
                json!({"group": g["group"], "version": g["version"], "context": g["context"]})
                    .to_string(),
            )
        } else if let Some(key) = uri.strip_prefix(CONTEXT_KEY_URI) {
            self.tmux("agent-get", &["-J", "-t", self.sid(), "--", key])
                .await
        } else if uri == INBOX_URI {
            self.tmux("agent-inbox", &["-J", "-t", self.sid()]).await
        } else {
            Err(format!("unknown resource: {uri}"))
        }
    }
}

fn resource(uri: &str, name: &str, description: &str) -> Resource {
    Resource::new(uri, name)
        .with_description(description)
        .with_mime_type("application/json")
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_resources_subscribe()
                .build(),
        )
        .with_server_info(Implementation::new(
            "agent-tmux-mcp",
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(
            "agent-tmux coordination: you are a tmux session that may be in a coordination \
             group with other agents. Use whoami first; share results with share, read them \
             with get_context or wait_for_key; talk with send_message, read_inbox and \
             wait_for_message.",
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = tools::SPECS
            .iter()
            .map(|s| Tool::new(s.name, s.description, tools::schema(s)))
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        tools::find(name).map(|s| Tool::new(s.name, s.description, tools::schema(s)))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let run = self.call(&request.name, request.arguments);
        let result = tokio::select! {
            r = run => r.unwrap_or_else(failed),
            () = context.ct.cancelled() => failed("cancelled"),
        };
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let mut list = vec![
            resource(
                CONTEXT_URI,
                "context",
                "The shared context of your coordination group: every key with its entry.",
            ),
            resource(
                INBOX_URI,
                "inbox",
                "Your unread messages, oldest first (reading consumes nothing).",
            ),
        ];
        if let Ok(g) = self.peers_json().await {
            if let Some(ctx) = g["context"].as_object() {
                for key in ctx.keys() {
                    list.push(resource(
                        &format!("{CONTEXT_KEY_URI}{key}"),
                        &format!("context/{key}"),
                        "One key of the shared context of your group.",
                    ));
                }
            }
        }
        Ok(ListResourcesResult::with_all_items(list))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(format!("{CONTEXT_KEY_URI}{{key}}"), "context-key")
                .with_description("One key of the shared context of your group.")
                .with_mime_type("application/json"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        match self.read(&request.uri).await {
            Ok(body) => {
                let contents =
                    ResourceContents::text(body, request.uri).with_mime_type("application/json");
                Ok(ReadResourceResult::new(vec![contents]).into())
            }
            Err(e) => Err(ErrorData::resource_not_found(e, None)),
        }
    }

    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let mut subs = self.0.subs.lock().unwrap();
        subs.legacy.insert(request.uri);
        subs.peer = Some(context.peer.clone());
        Ok(())
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.0.subs.lock().unwrap().legacy.remove(&request.uri);
        Ok(())
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(requested.supported_by(&self.get_info().capabilities))
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let sink = context.sink().clone();
        let id = sink.id().clone();
        self.0.subs.lock().unwrap().listens.push(sink);
        context.cancelled().await;
        self.0
            .subs
            .lock()
            .unwrap()
            .listens
            .retain(|s| s.id() != &id);
        Ok(())
    }
}
