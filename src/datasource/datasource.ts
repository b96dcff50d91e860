import {
  CoreApp,
  CustomVariableSupport,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceInstanceSettings,
  MetricFindValue,
  ScopedVars,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';
import { from, Observable } from 'rxjs';
import { map } from 'rxjs/operators';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import { Interpolate, interpolateQuery } from './query';
import { DEFAULT_QUERY, FeatureInfo, MMDataSourceOptions, MMQuery, MMVariableQuery, ModelInfo } from './types';
import { migrateVariableQuery, resourceToValues, variableResource } from './variables';

/**
 * The Model Monitor data source. All queries, health checks and resources go through the Go backend
 * (DataSourceWithBackend): no testDatasource() override, no direct /api/ds/query calls.
 */
export class DataSource extends DataSourceWithBackend<MMQuery, MMDataSourceOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<MMDataSourceOptions>) {
    super(instanceSettings);
    this.variables = new MMVariableSupport(this);
  }

  getDefaultQuery(_: CoreApp): Partial<MMQuery> {
    return DEFAULT_QUERY;
  }

  /** Interpolation backed by Grafana's template service. */
  interpolator(scopedVars?: ScopedVars): Interpolate {
    const srv = getTemplateSrv();
    return (text, format) => srv.replace(text, scopedVars, format);
  }

  applyTemplateVariables(query: MMQuery, scopedVars: ScopedVars): MMQuery {
    return interpolateQuery(query, this.interpolator(scopedVars));
  }

  /** Queries the backend cannot run (hidden) are not sent. */
  filterQuery(query: MMQuery): boolean {
    return !query.hide;
  }

  getModels(): Promise<ModelInfo[]> {
    return this.getResource<ModelInfo[]>('models').then(asArray);
  }

  getFeatures(model: string): Promise<FeatureInfo[]> {
    const m = this.interpolator()(model);
    if (!m || m === '*') {
      return Promise.resolve([]);
    }
    return this.getResource<FeatureInfo[]>('features', { model: m }).then(asArray);
  }

  getSegmentColumns(): Promise<string[]> {
    return this.getResource<string[]>('segments').then(asArray);
  }

  getSegmentValues(column: string): Promise<string[]> {
    const c = this.interpolator()(column);
    if (!c) {
      return Promise.resolve([]);
    }
    return this.getResource<string[]>('segments', { column: c }).then(asArray);
  }

  /** Values of a template-variable query (also used by the legacy variable API). */
  async metricFindQuery(
    query: MMVariableQuery | string,
    options?: { scopedVars?: ScopedVars }
  ): Promise<MetricFindValue[]> {
    const q = migrateVariableQuery(query);
    const interpolate = this.interpolator(options?.scopedVars);
    const request = variableResource({
      ...q,
      model: q.model !== undefined ? interpolate(q.model) : undefined,
      column: q.column !== undefined ? interpolate(q.column) : undefined,
    });
    if (!request) {
      return [];
    }
    const answer = await this.getResource(request.path, request.params);
    return resourceToValues(answer);
  }
}

function asArray<T>(v: T[] | null | undefined): T[] {
  return Array.isArray(v) ? v : [];
}

/** Template variables: models, features of a model, segment columns and segment values. */
export class MMVariableSupport extends CustomVariableSupport<
  DataSource,
  MMVariableQuery,
  MMQuery,
  MMDataSourceOptions
> {
  constructor(private readonly datasource: DataSource) {
    super();
  }

  editor = VariableQueryEditor;

  query(request: DataQueryRequest<MMVariableQuery>): Observable<DataQueryResponse> {
    const target = request.targets[0];
    return from(this.datasource.metricFindQuery(target, { scopedVars: request.scopedVars })).pipe(
      map((values) => ({ data: values }))
    );
  }
}
