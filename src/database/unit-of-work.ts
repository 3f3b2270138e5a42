import type { EntityManager } from 'typeorm';

declare const unitBrand: unique symbol;

/**
 * A running database transaction, passed between repositories so that a change and its
 * consequences (a device report and the box's health) commit together. Opaque to the ports: only
 * the TypeORM adapters open it.
 */
export interface UnitOfWork {
  readonly [unitBrand]: true;
}

export const asUnitOfWork = (manager: EntityManager): UnitOfWork => manager as unknown as UnitOfWork;

export const managerOf = (unit: UnitOfWork): EntityManager => unit as unknown as EntityManager;
