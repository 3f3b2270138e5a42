/**
 * The TopUp guide's own client code (spec 004, /work/shared/spec/004_*.txt): the "Classe Service
 * React Native/TypeScript" block copied as written (interfaces, TopUpApiService, TopUpApiError, the
 * `topUpService` instance and its usage example), then "Workflow Complet" (fullPackageWorkflow).
 * This is the documents' example code, not ours: an e2e spec runs it against the real app.
 *
 * Changed, and only this:
 * - `baseUrl`: the app under test (SPEC_CLIENT_ORIGIN, set by the spec before it loads this file)
 *   instead of 'https://your-domain.com/api';
 * - `override` on TopUpApiError's `message` parameter property: the guide's class redeclares
 *   Error's `message`, which this project's `noImplicitOverride` requires to say so;
 * - fullPackageWorkflow is plain JavaScript in the guide: its parameters and its `catch` variable
 *   are given types, nothing else; the `generateTransactionId()` it calls is the guide's
 *   TransactionManager.generateTransactionId (section "Gestion des États"), body as written;
 * - the `export` line at the end, to load it as a module.
 * Transport: the guide's client uses fetch and AbortController, which Node has, no library; only
 * `responseData` is annotated `any`, what `Response.json()` returns in the browser and React
 * Native typings the guide was written for (Node's typings say `unknown`).
 */

interface TopUpApiConfig {
    baseUrl: string;
    timeout?: number;
}

interface TopUpBalance {
    name: string;
    type: string;
    value: number;
    formatted_value: string;
    unit: string;
    expire_date: string;
    expire_date_formatted: string;
    expiration_status: {
        status: string;
        priority: number;
        message: string;
    };
    raw_type: string;
}

interface TopUpBalanceResponse {
    success: boolean;
    message: string;
    mobile_msisdn: string;
    fixed_isdn: string;
    balances: TopUpBalance[];
    total_balances: number;
    summary: {
        total_balances: number;
        money_total: number;
        money_total_formatted: string;
        data_total_bytes: number;
        data_total_formatted: string;
        voice_total_seconds: number;
        voice_total_formatted: string;
    };
}

interface TopUpPackage {
    package_code: string;
    description: string;
    price: number;
    formatted_price: string;
    validity_days: number;
    formatted_validity: string;
    data_unlimited: boolean;
    data_quantity_gb: number;
    data_quantity_bytes: number;
    voice_quantity_minutes: number;
    voice_quantity_seconds: number;
    formatted_data: string;
    formatted_voice: string;
    category: string;
    is_affordable: boolean;
    features: string[];
}

interface TopUpPackageResponse {
    success: boolean;
    message: string;
    msisdn: string;
    isdn: string;
    type: number;
    packages: TopUpPackage[];
    total_packages: number;
    summary: {
        total_packages: number;
        categories: Record<string, number>;
        price_range: {
            min: number;
            max: number;
            average: number;
            min_formatted: string;
            max_formatted: string;
            average_formatted: string;
        };
    };
}

class TopUpApiService {
    private baseUrl: string;
    private timeout: number;
    
    constructor(config: TopUpApiConfig) {
        this.baseUrl = config.baseUrl;
        this.timeout = config.timeout || 30000;
    }
    
    private async request<T>(
        endpoint: string,
        method: 'GET' | 'POST' | 'PUT' | 'DELETE' = 'GET',
        body?: any
    ): Promise<T> {
        const url = `${this.baseUrl}${endpoint}`;
        const controller = new AbortController();
        const timeoutId = setTimeout(() => controller.abort(), this.timeout);
        
        try {
            const response = await fetch(url, {
                method,
                headers: {
                    'Content-Type': 'application/json',
                    'Accept': 'application/json',
                },
                body: body ? JSON.stringify(body) : undefined,
                signal: controller.signal,
            });
            
            clearTimeout(timeoutId);
            
            const responseData: any = await response.json();
            
            if (!response.ok) {
                throw new TopUpApiError(
                    responseData.erreur || 'Erreur inconnue',
                    responseData.message || 'Une erreur est survenue',
                    response.status,
                    responseData.returnCode,
                    responseData.details
                );
            }
            
            return responseData as T;
        } catch (error) {
            clearTimeout(timeoutId);
            if (error instanceof TopUpApiError) {
                throw error;
            }
            throw new TopUpApiError(
                'Erreur réseau',
                'Impossible de communiquer avec le serveur',
                0,
                undefined,
                { originalError: error }
            );
        }
    }
    
    async getBalances(msisdn: string, isdn: string): Promise<TopUpBalanceResponse> {
        return this.request<TopUpBalanceResponse>('/topup/balances', 'POST', {
            msisdn,
            isdn,
        });
    }
    
    async getMyNumbers(msisdn: string): Promise<any> {
        return this.request<any>('/topup/numbers', 'POST', { msisdn });
    }
    
    async getStatusForRecharge(isdn: string): Promise<any> {
        return this.request<any>('/topup/status', 'POST', { isdn });
    }
    
    async getPackages(
        msisdn: string,
        isdn: string,
        type: number
    ): Promise<TopUpPackageResponse> {
        return this.request<TopUpPackageResponse>('/topup/packages', 'POST', {
            msisdn,
            isdn,
            type,
        });
    }
    
    async subscribePackage(params: {
        msisdn: string;
        isdn: string;
        package_code: string;
        pincode?: string;
        transaction_id?: string;
    }): Promise<any> {
        return this.request<any>('/topup/subscribe-package', 'POST', params);
    }
    
    async rechargeAccount(params: {
        msisdn: string;
        isdn: string;
        amount: number;
        pincode?: string;
        transaction_id?: string;
    }): Promise<any> {
        return this.request<any>('/topup/recharge-account', 'POST', params);
    }
    
    async updatePin(params: {
        msisdn: string;
        old_pin: string;
        new_pin: string;
        transaction_id?: string;
    }): Promise<any> {
        return this.request<any>('/topup/update-pin', 'PUT', params);
    }
    
    async addToDirectory(params: {
        msisdn: string;
        isdn: string;
        pincode?: string;
        transaction_id?: string;
    }): Promise<any> {
        return this.request<any>('/topup/directory/add', 'POST', params);
    }
    
    async removeFromDirectory(params: {
        msisdn: string;
        isdn: string;
        pincode?: string;
        transaction_id?: string;
    }): Promise<any> {
        return this.request<any>('/topup/directory/remove', 'DELETE', params);
    }
}

class TopUpApiError extends Error {
    constructor(
        public error: string,
        public override message: string,
        public statusCode: number,
        public returnCode?: string,
        public details?: any
    ) {
        super(message);
        this.name = 'TopUpApiError';
    }
}

// Utilisation
const topUpService = new TopUpApiService({
    baseUrl: `${process.env.SPEC_CLIENT_ORIGIN}/api`,
    timeout: 30000,
});

// Exemple d'utilisation
async function handleGetBalances() {
    try {
        const response = await topUpService.getBalances('77123456', '21123456');
        console.log('Balances:', response.balances);
        console.log('Total:', response.summary.money_total_formatted);
    } catch (error) {
        if (error instanceof TopUpApiError) {
            console.error('API Error:', error.error, error.message);
            console.error('Return Code:', error.returnCode);
            console.error('Status Code:', error.statusCode);
        } else {
            console.error('Unexpected error:', error);
        }
    }
}

// Gestion des États: TransactionManager.generateTransactionId, which fullPackageWorkflow calls.
function generateTransactionId() {
        const timestamp = Date.now().toString();
        const random = Math.random().toString(36).substr(2, 9);
        return `dtapp${timestamp}${random}`;
}

// Workflow Complet
async function fullPackageWorkflow(msisdn: string, isdn: string, packageType: number, packageCode: string, pin: string) {
    const transactionId = generateTransactionId();
    
    try {
        // 1. Vérifier le statut
        const status = await topUpService.getStatusForRecharge(isdn);
        if (!status.status.eligible) {
            throw new Error(`Number not eligible: ${status.status.reason}`);
        }
        
        // 2. Obtenir les packages
        const packages = await topUpService.getPackages(msisdn, isdn, packageType);
        const selectedPackage = packages.packages.find(p => p.package_code === packageCode);
        
        if (!selectedPackage) {
            throw new Error(`Package ${packageCode} not found`);
        }
        
        // 3. Vérifier l'affordabilité
        const balances = await topUpService.getBalances(msisdn, isdn);
        const mainBalance = balances.balances.find(b => b.type === 'money');
        
        if (!mainBalance || mainBalance.value < selectedPackage.price) {
            throw new Error(`Insufficient balance: ${mainBalance?.value} < ${selectedPackage.price}`);
        }
        
        // 4. Souscrire au package
        const subscription = await topUpService.subscribePackage({
            msisdn,
            isdn,
            package_code: packageCode,
            pincode: pin,
            transaction_id: transactionId
        });
        
        return {
            success: true,
            transactionId,
            package: selectedPackage,
            subscription,
            balanceAfter: subscription.account_impact?.balance_after
        };
        
    } catch (error: any) {
        return {
            success: false,
            error: error.message,
            transactionId
        };
    }
}

export { TopUpApiService, TopUpApiError, topUpService, handleGetBalances, fullPackageWorkflow, generateTransactionId };
export type { TopUpBalanceResponse, TopUpPackageResponse };
