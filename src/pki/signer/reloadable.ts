import { SignerError, SignerErrorCode } from './errors.js';
import { type IdentityFiles, loadMeshIdentity, type MeshIdentity } from './identity.js';

/**
 * An identity read from files that can be read again once its leaf was renewed (at half-life), so a
 * long-running process never signs with a certificate that has expired. Each message is signed
 * with whichever identity is current when it is sealed (sealing is synchronous).
 */
export class ReloadableIdentity implements MeshIdentity {
  readonly #files: IdentityFiles;
  #current: MeshIdentity;

  private constructor(files: IdentityFiles, current: MeshIdentity) {
    this.#files = files;
    this.#current = current;
  }

  static async load(files: IdentityFiles): Promise<ReloadableIdentity> {
    return new ReloadableIdentity(files, await loadMeshIdentity(files));
  }

  get kind(): MeshIdentity['kind'] {
    return this.#current.kind;
  }
  get name(): string {
    return this.#current.name;
  }
  get certificate(): Uint8Array {
    return this.#current.certificate;
  }
  get fingerprint(): Uint8Array {
    return this.#current.fingerprint;
  }
  get serial(): string {
    return this.#current.serial;
  }
  get notAfter(): number {
    return this.#current.notAfter;
  }

  sign(data: Uint8Array): Uint8Array {
    return this.#current.sign(data);
  }

  /**
   * Reads the files again and signs with them from now on. If they do not load (caught between the
   * key's and the certificate's rename) or name another identity, the current one stays and this
   * rejects with `ERR_SIGNER_IDENTITY`.
   */
  async reload(): Promise<void> {
    const next = await loadMeshIdentity(this.#files);
    if (next.kind !== this.kind || next.name !== this.name) {
      throw new SignerError(
        SignerErrorCode.Identity,
        `${this.#files.certFile} now names ${next.kind} ${next.name}, not ${this.kind} ${this.name}; the process keeps signing as ${this.kind} ${this.name}. Restore the right certificate.`,
      );
    }
    this.#current = next;
  }
}
