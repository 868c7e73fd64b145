// HTML for the dashboard, from the snapshot GET /_trunkline/dashboard answers. Pure functions:
// data in, markup out. Every value from the server goes through esc().

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

const short = (id) => (id ? String(id).slice(0, 8) : "");

function badge(text, tone) {
  return `<span class="badge ${tone}">${esc(text)}</span>`;
}

const STATUS_TONES = {
  ACTIVE: "ok", RUNNING: "ok", REGISTERING: "busy", PROVISIONING: "busy", PENDING: "busy", ACTIVATING: "busy",
  DRAINING: "warn", DEACTIVATING: "warn", STOPPING: "warn", DEPROVISIONING: "warn", DEREGISTERING: "warn",
  STOPPED: "off", INACTIVE: "off", REGISTRATION_FAILED: "bad",
};

const status = (s) => badge(s, STATUS_TONES[s] || "off");

// --- the cluster's sections, in page order ------------------------------------------------------
// Each takes the cluster from the snapshot and the view (filter, paging) and returns its markup.

function summarySection(cluster) {
  const s = cluster.summary;
  const other = Object.entries(s.placementFailures).filter(([reason]) => reason !== "RESOURCE:ENI");
  const tasks = Object.entries(s.tasksByStatus).map(([k, v]) => `${v} ${esc(k)}`).join(", ") || "none";
  return `<div class="summary">
    <div class="stat"><span class="label">container instances</span><strong>${s.containerInstances}</strong>
      <span class="muted">${s.trunkedInstances} trunked${s.agentsDisconnected ? `, ${s.agentsDisconnected} agent(s) disconnected` : ""}</span></div>
    <div class="stat"><span class="label">ENI slots used / available</span>
      <strong data-testid="eni-slots">${s.eniSlotsUsed} / ${s.eniSlotsAvailable}</strong>
      <span class="muted">of ${s.eniSlotsTotal} task slots</span></div>
    <div class="stat"><span class="label">tasks placed</span><strong data-testid="tasks-placed">${s.tasksPlaced}</strong>
      <span class="muted">${tasks}</span></div>
    <div class="stat ${s.resourceEniFailures ? "alert" : ""}"><span class="label">RESOURCE:ENI failures</span>
      <strong data-testid="eni-failures">${s.resourceEniFailures}</strong>
      <span class="muted">${other.map(([k, v]) => `${v} ${esc(k)}`).join(", ") || "no other placement failure"}</span></div>
  </div>`;
}

function slot(s, extra = "") {
  const title = [s.networkInterfaceId, s.privateIpAddress, s.taskArn, s.taskStatus].filter(Boolean).join("\n");
  if (s.kind === "free") {
    return `<li class="slot free" title="free slot">${extra}<span class="what">free</span></li>`;
  }
  const label = { primary: "primary", trunk: "trunk", task: "task", other: "not ECS" }[s.kind] || s.kind;
  const task = s.taskId ? `<span class="task">task ${esc(short(s.taskId))} ${status(s.taskStatus)}</span>` : "";
  return `<li class="slot ${esc(s.kind)}" title="${esc(title)}">${extra}<span class="what">${esc(label)}</span>
    <span class="ip">${esc(s.privateIpAddress || "")}</span>${task}</li>`;
}

function interfaceSlot(s) {
  return slot(s, `<span class="index">eth${esc(s.deviceIndex)}</span>`);
}

function branchSlot(s) {
  return slot(s, s.vlanId != null ? `<span class="vlan">VLAN ${esc(s.vlanId)}</span>` : "");
}

function reasons(instance) {
  if (instance.trunked || !instance.reasons.length) return "";
  const items = instance.reasons.map((r) => `<li><code>${esc(r.code)}</code> ${esc(r.message)}</li>`).join("");
  return `<details class="reasons" open><summary>why not trunked</summary><ul>${items}</ul></details>`;
}

function limits(instance) {
  const l = instance.limits;
  const trunked = l.trunked == null ? "no trunking for this type" : `${l.trunked} with trunking`;
  const estimate = instance.limitSource === "estimate" ? " (estimated)" : "";
  const enis = instance.trunked
    ? `ENI limit ${instance.eniLimit}: primary + trunk + ${instance.awsvpcTaskLimit} branches`
    : `ENI limit ${instance.eniLimit} network interfaces`;
  return `<p class="limits">awsvpc task slots: <strong>${instance.awsvpcTasksInUse} of ${instance.awsvpcTaskLimit}</strong> used${esc(estimate)}
    <span class="muted">(limit ${l.untrunked ?? "?"} without trunking, ${esc(trunked)}; ${esc(enis)})</span></p>`;
}

export function instanceCard(instance) {
  const trunk = instance.trunked
    ? badge("trunked", "ok")
    : instance.trunkingApplies ? badge("trunk pending", "busy") : badge("not trunked", "warn");
  const agent = instance.agentConnected ? badge("agent connected", "ok") : badge("agent disconnected", "bad");
  const branches = instance.trunked
    ? `<div class="row"><span class="row-label">branch ENIs</span><ol class="slots branches">${instance.branches.map(branchSlot).join("")}</ol></div>`
    : "";
  return `<article class="instance" data-instance="${esc(instance.ec2InstanceId)}">
    <header><strong>${esc(instance.ec2InstanceId)}</strong> <span class="muted">${esc(instance.instanceType)}</span>
      ${status(instance.status)} ${trunk} ${agent}
      <span class="muted small">${esc(instance.containerInstanceId)}</span></header>
    ${limits(instance)}
    <div class="row"><span class="row-label">network interfaces</span><ol class="slots interfaces">${instance.interfaces.map(interfaceSlot).join("")}</ol></div>
    ${branches}
    ${reasons(instance)}
  </article>`;
}

// What the filter box matches an instance by.
function searchText(instance) {
  return [instance.ec2InstanceId, instance.containerInstanceId, instance.instanceType, instance.status,
    instance.trunked ? "trunked" : "untrunked", instance.availabilityZone].join(" ").toLowerCase();
}

// The first `limit` items drawn, and a button for the next page: a thousand instances stay quick to draw.
function paged(cluster, section, items, view, draw) {
  const limit = view.limit(cluster.clusterName, section);
  const rest = items.length - limit;
  const more = rest > 0
    ? `<button type="button" class="more" data-more="${esc(cluster.clusterName)}" data-section="${section}">Show ${Math.min(rest, view.page)} more (${rest} not shown)</button>`
    : "";
  return [items.slice(0, limit).map(draw).join(""), more];
}

function instancesSection(cluster, view) {
  const all = cluster.containerInstances;
  if (!all.length) return `<h3>Container instances</h3><p class="muted">No container instance.</p>`;
  const matching = view.filter ? all.filter((i) => searchText(i).includes(view.filter)) : all;
  const count = view.filter ? `${matching.length} of ${all.length} match “${esc(view.filter)}”` : `${all.length}`;
  const [cards, more] = paged(cluster, "instances", matching, view, instanceCard);
  return `<h3>Container instances <span class="muted">(${count})</span></h3><div class="instances">${cards}</div>${more}`;
}

function taskRow(t) {
  return `<tr data-task="${esc(t.taskId)}">
    <td><code title="${esc(t.taskArn)}">${esc(short(t.taskId))}</code></td><td>${esc(t.family)}</td>
    <td class="task-status">${status(t.lastStatus)}</td><td>${esc(t.desiredStatus)}</td><td>${esc(t.launchType)}</td>
    <td>${esc(t.ec2InstanceId || "")}</td><td>${esc(t.networkInterfaceId || "")} <span class="muted">${esc(t.eniKind || "")}</span></td>
    <td>${esc(t.group)}</td><td class="muted">${esc(t.stoppedReason || "")}</td></tr>`;
}

function tasksSection(cluster, view) {
  if (!cluster.tasks.length) return `<h3>Tasks</h3><p class="muted">No task.</p>`;
  const [rows, more] = paged(cluster, "tasks", cluster.tasks, view, taskRow);
  const hidden = cluster.stoppedTasks - cluster.tasks.filter((t) => t.lastStatus === "STOPPED").length;
  return `<h3>Tasks</h3><table class="tasks"><thead><tr><th>task</th><th>family</th><th>last status</th><th>desired</th>
    <th>launch type</th><th>instance</th><th>ENI</th><th>group</th><th>stopped reason</th></tr></thead><tbody>${rows}</tbody></table>${more}
    ${hidden > 0 ? `<p class="muted">${hidden} older stopped task(s) not shown.</p>` : ""}`;
}

function servicesSection(cluster) {
  if (!cluster.services.length) return `<h3>Services</h3><p class="muted">No service.</p>`;
  const rows = cluster.services.map((s) => `<tr data-service="${esc(s.serviceName)}">
    <td><strong>${esc(s.serviceName)}</strong></td><td>${status(s.status)}</td>
    <td class="counts">${s.desiredCount} / ${s.runningCount} / ${s.pendingCount}</td>
    <td><ul class="events">${s.events.map((e) => `<li><time>${esc(e.createdAt)}</time> ${esc(e.message)}</li>`).join("")}</ul></td></tr>`).join("");
  return `<h3>Services</h3><table class="services"><thead><tr><th>service</th><th>status</th>
    <th>desired / running / pending</th><th>latest events</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const ENABLED_TONES = { ENABLED: "ok", DISABLED: "off" };
const ACTIVITY_TONES = { Successful: "ok", InProgress: "busy", Failed: "bad", Cancelled: "off" };

function reservation(p) {
  const s = p.managedScaling;
  const target = s.status === "ENABLED" ? ` target ${esc(s.targetCapacity)}%` : "";
  const scaling = `${badge(`managed scaling ${s.status.toLowerCase()}`, ENABLED_TONES[s.status] || "off")}${target}`;
  const r = p.reservation;
  const figure = r
    ? `<strong data-testid="reservation">${esc(r.capacityProviderReservation)}%</strong>
       <span class="muted">${esc(r.instancesNeeded)} needed / ${esc(r.instancesInGroup)} in group${r.tasksWaiting ? `, ${esc(r.tasksWaiting)} task(s) waiting` : ""}</span>`
    : `<span class="muted" data-testid="reservation">no figure yet</span>`;
  return `<td>${scaling}</td><td title="CapacityProviderReservation, as of the last managed-scaling round${r ? ` (${esc(r.at)})` : ""}">${figure}</td>`;
}

function groupCells(g) {
  if (!g) return `<td colspan="3" class="muted">the Auto Scaling group is gone</td>`;
  const a = g.latestActivity;
  const activity = a
    ? `${badge(a.statusCode, ACTIVITY_TONES[a.statusCode] || "off")} ${esc(a.description)}
       <div class="muted small" title="${esc(a.cause)}"><time>${esc(a.startTime)}</time> ${esc(a.cause)}</div>`
    : `<span class="muted">no activity</span>`;
  const others = g.terminating ? `, ${g.terminating} terminating` : "";
  return `<td><strong>${esc(g.autoScalingGroupName)}</strong>
      <div class="sizes" data-testid="group-sizes">${g.minSize} / ${g.desiredCapacity} / ${g.maxSize}</div></td>
    <td class="members" data-testid="group-members">${g.inService} in service, ${g.pending} pending, ${g.protectedFromScaleIn} protected${others}</td>
    <td class="activity">${activity}</td>`;
}

function capacitySection(cluster) {
  const providers = cluster.capacityProviders || [];
  if (!providers.length) return `<h3>Capacity providers</h3><p class="muted">No Auto Scaling group capacity provider.</p>`;
  const rows = providers.map((p) => `<tr data-provider="${esc(p.name)}">
    <td><strong>${esc(p.name)}</strong> ${status(p.status)}
      ${p.defaultStrategy ? `<div class="muted small">default strategy: weight ${esc(p.defaultStrategy.weight)}, base ${esc(p.defaultStrategy.base)}</div>` : ""}</td>
    ${reservation(p)}
    <td>${badge(`termination protection ${p.managedTerminationProtection.toLowerCase()}`, ENABLED_TONES[p.managedTerminationProtection] || "off")}</td>
    ${groupCells(p.group)}</tr>`).join("");
  return `<h3>Capacity providers</h3><table class="providers"><thead><tr><th>provider</th><th>managed scaling</th>
    <th>reservation</th><th>termination protection</th><th>group: min / desired / max</th><th>instances</th>
    <th>latest scaling activity</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export const CLUSTER_SECTIONS = [summarySection, instancesSection, tasksSection, servicesSection, capacitySection];

// `view`: {filter (lower case), page (items per page), limit(clusterName, section) -> items shown}.
export function clusterMarkup(cluster, view) {
  const body = CLUSTER_SECTIONS.map((section) => section(cluster, view)).join("");
  return `<section class="cluster" data-cluster="${esc(cluster.clusterName)}">
    <h2>${esc(cluster.clusterName)} ${status(cluster.status)}</h2>${body}</section>`;
}

export function pageMarkup(snapshot, view) {
  if (!snapshot.clusters.length) {
    return `<p class="muted">No cluster in account ${esc(snapshot.accountId)}, ${esc(snapshot.region)} yet.</p>`;
  }
  return snapshot.clusters.map((cluster) => clusterMarkup(cluster, view)).join("");
}
