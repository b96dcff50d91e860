import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import { MMDataSourceOptions, MMQuery, MMSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<DataSource, MMQuery, MMDataSourceOptions, MMSecureJsonData>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
