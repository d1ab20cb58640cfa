export * from './departure.projection';
export * from './departure.reaction';
