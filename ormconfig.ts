import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadAppConfig } from './src/config/app-config';
import { typeOrmOptions } from './src/database/typeorm-options';

/** For the TypeORM CLI (`npm run migration:run`): the same DATABASE_URL and migrations as the app. */
export default new DataSource(typeOrmOptions(loadAppConfig(process.env).database));
