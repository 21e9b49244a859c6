/**
 * The Live Update Orchestrator (kernel/liveupdate/luo_core.c, luo_session.c, luo_file.c): /dev/liveupdate, sessions,
 * and files preserved by token through their handlers (memfdLuo.ts, iommufdLuo.ts, vfioLuo.ts).
 *
 * Rules kept here, as the kernel keeps them:
 * - /dev/liveupdate admits one opener (luo_open: EBUSY); a kernel whose incoming state failed to deserialize answers
 *   every open EIO (sticky, luo_session_deserialize). A kernel without LUO has no such device (ENOENT).
 * - Session names are unique per direction (EEXIST); a session is retrieved once (EINVAL the second time).
 * - A file is preserved through the first handler whose can_preserve() accepts it (none: ENOENT), once across all
 *   sessions (luo_preserved_files: EBUSY), under a token unique in its session (EEXIST, checked first). LUO holds a
 *   reference on every file it preserves or retrieved, until unpreserve or finish.
 * - Closing an outgoing session unpreserves its files, last preserved first; closing a retrieved session finishes
 *   it. FINISH is all or nothing on every handler's can_finish() (EBUSY, nothing finished); a failed finish on close
 *   leaves the session and its files held by LUO (luo_session_release() returns the error, the fd is gone anyway).
 * - The reboot side (freeze, serialization) and the new kernel's deserialization are in kexec.ts.
 *
 * Mistyped session ioctls on a LUO without typed sessions (the first merged one) are refused as not modelled.
 */
import { LIVEUPDATE_SESSION_NAME_LENGTH, type LiveupdateIoctlSessionName, type LiveupdateSessionPreserveFd, type LiveupdateSessionRetrieveFd } from './uapi.ts';
import type { Kernel, LuoFile, LuoFileData, LuoSession, SessionFile } from './types.ts';
import { profileOf, type LuoProfile } from './profiles.ts';
import { done, fail, isFail, notModelled, type Fail, type Outcome } from './outcome.ts';
import { addFile, fdFile, fdInstall, fget, fileById, fput } from './files.ts';
import type { LuoHandler } from './luoHandler.ts';
import { MEMFD_LUO } from './memfdLuo.ts';
import { IOMMUFD_LUO } from './iommufdLuo.ts';
import { VFIO_LUO } from './vfioLuo.ts';

/** The LUO of the running kernel, or null when it has none. */
function luoOf(k: Kernel): LuoProfile | null {
  return profileOf(k.profile).liveUpdate.luo;
}

/** The handlers this kernel registered, in registration order. */
function handlers(k: Kernel): LuoHandler[] {
  const lu = profileOf(k.profile).liveUpdate;
  const out: LuoHandler[] = [];
  if (lu.memfd) out.push(MEMFD_LUO);
  if (lu.iommufd) out.push(IOMMUFD_LUO);
  if (lu.vfio) out.push(VFIO_LUO);
  return out;
}

/** The handler of a preserved file's data. */
export function handlerOf(data: LuoFileData): LuoHandler {
  switch (data.handler) {
    case 'memfd':
      return MEMFD_LUO;
    case 'iommufd':
      return IOMMUFD_LUO;
    case 'vfio':
      return VFIO_LUO;
  }
}

/** Replaces the session named `name` in one direction's list. */
export function putSession(k: Kernel, incoming: boolean, s: LuoSession): Kernel {
  const list = incoming ? k.lu.incoming : k.lu.outgoing;
  const next = list.map((x) => (x.name === s.name ? s : x));
  return { ...k, lu: incoming ? { ...k.lu, incoming: next } : { ...k.lu, outgoing: next } };
}

/** The session named `name` in one direction's list (it must exist). */
export function sessionNamed(k: Kernel, incoming: boolean, name: string): LuoSession {
  const s = (incoming ? k.lu.incoming : k.lu.outgoing).find((x) => x.name === name);
  if (!s) throw new Error(`model bug: no ${incoming ? 'incoming' : 'outgoing'} session ${name}`);
  return s;
}

/** open("/dev/liveupdate"): luo_open(). */
export function luoOpen(k: Kernel): Outcome {
  if (!luoOf(k)) return fail('luo_open:no-device');
  if (k.lu.device !== null) return fail('luo_open:busy');
  if (k.lu.broken) return fail('luo_open:deserialize');
  const [k1, id] = addFile(k, { kind: 'liveupdate', id: 0, refs: 0 });
  const [k2, fd] = fdInstall({ ...k1, lu: { ...k1.lu, device: id } }, id);
  return done(k2, 'luo_open:ok', { fd });
}

/** luo_release(): the device is free again. */
export function luoRelease(k: Kernel, id: number): Kernel {
  return k.lu.device === id ? { ...k, lu: { ...k.lu, device: null } } : k;
}

/** The session name as the kernel keeps it, or the check it fails (session name rules of the running LUO). */
function sessionName(luo: LuoProfile, name: string): string | Fail {
  if (luo.sessionNameChecks) {
    if (name.length === 0) return fail('luo_session_name:empty');
    if (name.length >= LIVEUPDATE_SESSION_NAME_LENGTH) return fail('luo_session_name:unterminated');
    return name;
  }
  // strscpy(session->name, name, sizeof(session->name)): truncated to fit with its NUL.
  return name.slice(0, LIVEUPDATE_SESSION_NAME_LENGTH - 1);
}

/** A new session file and its fd. */
function sessionFile(k: Kernel, name: string, incoming: boolean): [Kernel, number, number] {
  const [k1, id] = addFile(k, { kind: 'session', id: 0, refs: 0, name, incoming });
  const [k2, fd] = fdInstall(k1, id);
  return [k2, id, fd];
}

/** LIVEUPDATE_IOCTL_CREATE_SESSION: luo_ioctl_create_session() -> luo_session_create(). */
export function luoIoctlCreateSession(k: Kernel, _file: number, cmd: LiveupdateIoctlSessionName): Outcome {
  const luo = luoOf(k) as LuoProfile;
  const name = sessionName(luo, cmd.name);
  if (isFail(name)) return name;
  // luo_session_insert(): room in the serialization array first (older LUO), then the name.
  if (luo.limits && k.lu.outgoing.length >= luo.limits.sessions) return fail('luo_session_insert:full');
  if (k.lu.outgoing.some((s) => s.name === name)) return fail('luo_session_insert:exists');
  const [k1, id, fd] = sessionFile(k, name, false);
  const session: LuoSession = { name, file: id, retrieved: false, files: [] };
  return done({ ...k1, lu: { ...k1.lu, outgoing: [...k1.lu.outgoing, session] } }, 'luo_session_create:ok', { fd });
}

/** LIVEUPDATE_IOCTL_RETRIEVE_SESSION: luo_ioctl_retrieve_session() -> luo_session_retrieve(). */
export function luoIoctlRetrieveSession(k: Kernel, _file: number, cmd: LiveupdateIoctlSessionName): Outcome {
  const name = sessionName(luoOf(k) as LuoProfile, cmd.name);
  if (isFail(name)) return name;
  const s = k.lu.incoming.find((x) => x.name === name);
  if (!s) return fail('luo_session_retrieve:not-found');
  if (s.retrieved) return fail('luo_session_retrieve:retrieved');
  const [k1, id, fd] = sessionFile(k, name, true);
  return done(putSession(k1, true, { ...s, file: id, retrieved: true }), 'luo_session_retrieve:ok', { fd });
}

/** The session behind a session file, and which direction it is. */
function sessionOfFile(k: Kernel, fileId: number): { s: LuoSession; incoming: boolean } {
  const f = fileById(k, fileId) as SessionFile;
  return { s: sessionNamed(k, f.incoming, f.name), incoming: f.incoming };
}

/**
 * The session-type check of the newest LUO (PRESERVE_FD on outgoing only, RETRIEVE_FD and FINISH on retrieved
 * only): a Fail, a not-modelled refusal on a LUO without it, or null when the ioctl fits the session.
 */
function checkType(k: Kernel, incoming: boolean, wantIncoming: boolean, op: string): Outcome | null {
  if (incoming === wantIncoming) return null;
  if ((luoOf(k) as LuoProfile).typedSessionIoctls) return fail('luo_session_ioctl:type');
  return notModelled(`${op} on ${incoming ? 'a retrieved' : 'an outgoing'} session of a LUO without typed session ioctls`);
}

/** Whether LUO already holds `file` (preserved in any outgoing session, or retrieved and not finished). */
function luoHolds(k: Kernel, file: number): boolean {
  const held = (s: LuoSession): boolean => s.files.some((f) => f.file === file);
  return k.lu.outgoing.some(held) || k.lu.incoming.some(held);
}

/** LIVEUPDATE_SESSION_PRESERVE_FD: luo_session_preserve_fd() -> luo_preserve_file(), in its order of checks. */
export function luoSessionPreserveFd(k: Kernel, sessionFileId: number, cmd: LiveupdateSessionPreserveFd): Outcome {
  const { s, incoming } = sessionOfFile(k, sessionFileId);
  const typed = checkType(k, incoming, false, 'LIVEUPDATE_SESSION_PRESERVE_FD');
  if (typed) return typed;
  if (s.files.some((f) => f.token === cmd.token)) return fail('luo_preserve_file:token-used');
  const limits = (luoOf(k) as LuoProfile).limits;
  if (limits && s.files.length >= limits.filesPerSession) return fail('luo_preserve_file:full');
  const file = fdFile(k, cmd.fd);
  if (!file) return fail('luo_preserve_file:bad-fd');
  const h = handlers(k).find((x) => x.canPreserve(file));
  if (!h) return fail('luo_preserve_file:no-handler');
  if (luoHolds(k, file.id)) return fail('luo_preserve_file:preserved');
  const r = h.preserve(k, s.name, file);
  if (isFail(r)) return r;
  const [k1, data] = r;
  const lf: LuoFile = { token: cmd.token, file: file.id, retrieved: false, data };
  const k2 = fget(k1, file.id);
  const cur = sessionNamed(k2, false, s.name);
  return done(putSession(k2, false, { ...cur, files: [...cur.files, lf] }), 'luo_preserve_file:ok');
}

/** LIVEUPDATE_SESSION_RETRIEVE_FD: luo_session_retrieve_fd() -> luo_retrieve_file(). */
export function luoSessionRetrieveFd(k: Kernel, sessionFileId: number, cmd: LiveupdateSessionRetrieveFd): Outcome {
  const { s, incoming } = sessionOfFile(k, sessionFileId);
  const typed = checkType(k, incoming, true, 'LIVEUPDATE_SESSION_RETRIEVE_FD');
  if (typed) return typed;
  const at = s.files.findIndex((f) => f.token === cmd.token);
  const lf = s.files[at];
  if (!lf) return fail('luo_retrieve_file:not-found');
  if (lf.retrieved && lf.file !== null) {
    // Idempotent: "Someone is asking for this file again, so get a reference for them."
    const [k1, fd] = fdInstall(fget(k, lf.file), lf.file);
    return done(k1, 'luo_retrieve_file:again', { fd });
  }
  const r = handlerOf(lf.data).retrieve(k, s.name, lf);
  if (isFail(r)) return r;
  // The handler's file carries LUO's reference (kept until finish); the fd gets one more.
  const [k1, fileId] = r;
  const cur = sessionNamed(k1, true, s.name);
  const files = cur.files.map((f, i) => (i === at ? { ...f, file: fileId, retrieved: true } : f));
  const [k2, fd] = fdInstall(fget(putSession(k1, true, { ...cur, files }), fileId), fileId);
  return done(k2, 'luo_retrieve_file:ok', { fd });
}

/**
 * luo_file_finish() of session `name` (incoming): every file's can_finish() first (any false: EBUSY, nothing
 * finished), then each file's finish(), last first, and LUO drops its references. The session's history goes.
 */
function sessionFinish(k: Kernel, name: string): Kernel | Fail {
  const s = sessionNamed(k, true, name);
  for (const f of s.files) if (!handlerOf(f.data).canFinish(k, name, f)) return fail('luo_file_can_finish:busy');
  let k1 = k;
  for (let i = s.files.length - 1; i >= 0; i--) {
    const f = s.files[i] as LuoFile;
    k1 = handlerOf(f.data).finish(k1, name, f);
    if (f.file !== null) k1 = fput(k1, f.file);
  }
  k1 = putSession(k1, true, { ...sessionNamed(k1, true, name), files: [] });
  return forgetSession(k1, name);
}

/** LIVEUPDATE_SESSION_FINISH: luo_session_finish(). */
export function luoSessionFinish(k: Kernel, sessionFileId: number): Outcome {
  const { s, incoming } = sessionOfFile(k, sessionFileId);
  const typed = checkType(k, incoming, true, 'LIVEUPDATE_SESSION_FINISH');
  if (typed) return typed;
  const r = sessionFinish(k, s.name);
  return isFail(r) ? r : done(r, 'luo_session_finish:ok');
}

/** The live-update history of a session goes with it (finished, or abandoned before the reboot). */
function forgetSession(k: Kernel, name: string): Kernel {
  const h = k.history;
  if (!h.domains.some((d) => d.session === name) && !h.devices.some((d) => d.session === name)) return k;
  return { ...k, history: { domains: h.domains.filter((d) => d.session !== name), devices: h.devices.filter((d) => d.session !== name) } };
}

/**
 * luo_session_release(): an outgoing session unpreserves its files (last first) and goes; a retrieved one is
 * finished and goes, or, when its finish fails, stays held by LUO with no file.
 */
export function luoSessionRelease(k: Kernel, id: number): Kernel {
  const f = fileById(k, id) as SessionFile;
  if (f.incoming) {
    const r = sessionFinish(k, f.name);
    if (isFail(r)) return putSession(k, true, { ...sessionNamed(k, true, f.name), file: null });
    return { ...r, lu: { ...r.lu, incoming: r.lu.incoming.filter((s) => s.name !== f.name) } };
  }
  const s = sessionNamed(k, false, f.name);
  let k1 = k;
  for (let i = s.files.length - 1; i >= 0; i--) {
    const lf = s.files[i] as LuoFile;
    k1 = handlerOf(lf.data).unpreserve(k1, s.name, lf);
    if (lf.file !== null) k1 = fput(k1, lf.file);
  }
  k1 = forgetSession(k1, s.name);
  return { ...k1, lu: { ...k1.lu, outgoing: k1.lu.outgoing.filter((x) => x.name !== s.name) } };
}

/** Whether `file` is the file of a preserved LuoFile of outgoing session `session` (liveupdate_get_token_outgoing). */
export function preservedInSession(k: Kernel, session: string, file: number): LuoFile | undefined {
  return k.lu.outgoing.find((s) => s.name === session)?.files.find((f) => f.file === file);
}
