/******************************************************************************
 * @brief   Self-checking bench for residual_join.
 * @author  e3ne
 *
 * @description
 *  Two stream_sources send the N beats of U_FILE (PE lanes of U, U_W bits
 *  two's complement) and of S_FILE (PE lanes of the skip, S_W bits), with random
 *  gaps: u idles IGAP %, s SGAP % of the cycles (default: as IGAP; plusarg
 *  +GAP= sets both). stream_sink takes the output with ordy low OSTALL % of
 *  the cycles (+BP=) and scores every lane of every beat against EXP_FILE
 *  (PE lanes of q, T bits); THRESH_FILE is the DUT's threshold ROM. All four
 *  files are written by tests/hw/test_residual_join.py.
 *
 *  Besides the sink's checks (order, payload, handshake rules 2 and 3, X,
 *  spurious beats), every edge checks the header's handshake:
 *   - the two beats of a pair are taken at the same edge;
 *   - irdy == svld && (outstanding < OFD), srdy == ivld && (outstanding <
 *     OFD), outstanding = pairs taken minus output beats taken (the credit);
 *  and the latency of every beat: beat k is on ovld first in cycle
 *      max(take_k + LAT, out_{k-1} + 1)
 *  (take_k: the cycle pair k is taken; out_{k-1}: the cycle output beat k-1
 *  is taken), LAT = T + 3 and OFD = T + 5 as the header documents. Unstalled,
 *  bench_ctl's LATENCY line is LAT.
 *
 *  Reports as bench_ctl: CYCLES/LATENCY lines, then PASS or FAIL (missing
 *  beats after LIMIT cycles). STANDALONE = 1 ends the simulation with
 *  $finish; with STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module residual_join_tb #(
	parameter int PE         = 2,     // DUT: lanes per beat
	parameter int NF         = 3,     // DUT: beats per pixel (threshold folds)
	parameter int U_W        = 12,    // DUT: width of U
	parameter int T          = 4,     // DUT: activation bits
	parameter int S_W        = T,     // DUT: skip lane width
	parameter int S_SIGNED   = 0,     // DUT: 1 = skip lanes are two's complement
	parameter int M          = 1,     // DUT: skip rescale
	parameter int TH_W       = 8,     // DUT: threshold width
	parameter     THRESH_FILE = "thr.mem",
	parameter int N          = 300,   // beats in U_FILE, S_FILE and EXP_FILE
	parameter     U_FILE     = "u.mem",
	parameter     S_FILE     = "s.mem",
	parameter     EXP_FILE   = "exp.mem",
	parameter int IGAP       = 30,    // % of cycles source u idles
	parameter int SGAP       = IGAP,  // % of cycles source s idles
	parameter int OSTALL     = 30,    // % of cycles the sink holds ordy low
	parameter int LAT        = T + 3, // documented latency, input handshake to ovld
	parameter int OFD        = T + 5, // documented credit: pairs outstanding at most
	parameter int SEED       = 1,     // $urandom seed
	parameter int STANDALONE = 1,     // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "residual_join_tb"  // tag in the messages
);

	logic  clk, rst, irdy, ivld, srdy, svld, ordy, ovld, Done, Ok;
	logic [PE*U_W-1:0]  idat;
	logic [PE*S_W-1:0]  sdat;
	logic [PE*T-1:0]  odat;
	int  Cycle, SentU, FirstU, ErrU, SentS, FirstS, ErrS, Recv, FirstO, LastO, ErrO;
	int  Errors = 0;  // handshake and latency errors

	residual_join #(
		.PE(PE), .NF(NF), .U_W(U_W), .T(T), .S_W(S_W), .S_SIGNED(S_SIGNED), .M(M),
		.TH_W(TH_W), .THRESH_FILE(THRESH_FILE)
	) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.srdy, .svld, .sdat,
		.ordy, .ovld, .odat
	);

	stream_source #(.W(PE*U_W), .N(N), .FILE(U_FILE), .GAP(IGAP), .NAME({NAME, ".u"})) src_u (
		.clk, .rst, .cycle(Cycle), .rdy(irdy), .vld(ivld), .dat(idat),
		.sent(SentU), .first(FirstU), .errors(ErrU)
	);

	stream_source #(.W(PE*S_W), .N(N), .FILE(S_FILE), .GAP(SGAP), .NAME({NAME, ".s"})) src_s (
		.clk, .rst, .cycle(Cycle), .rdy(srdy), .vld(svld), .dat(sdat),
		.sent(SentS), .first(FirstS), .errors(ErrS)
	);

	// a beat may leave LAT edges after its pair is taken (checked exactly below)
	stream_sink #(.W(PE*T), .N(N), .FILE(EXP_FILE), .STALL(OSTALL), .GROUP(NF), .NAME(NAME)) snk (
		.clk, .rst, .cycle(Cycle), .rdy(ordy), .vld(ovld), .dat(odat), .avail(SentU),
		.recv(Recv), .first(FirstO), .last(LastO), .errors(ErrO)
	);

	bench_ctl #(.N_IN(N), .N_OUT(N), .SEED(SEED), .LIMIT(100 * N + 1000),
		.STANDALONE(STANDALONE), .NAME(NAME)) ctl (
		.clk, .rst, .cycle(Cycle), .sent(SentU), .first_in(FirstU), .recv(Recv),
		.first_out(FirstO), .last_out(LastO), .errors(ErrU + ErrS + ErrO + Errors),
		.done(Done), .ok(Ok)
	);

	initial $display("%s: PE=%0d NF=%0d U_W=%0d T=%0d M=%0d TH_W=%0d, %0d beats, IGAP %0d SGAP %0d OSTALL %0d",
		NAME, PE, NF, U_W, T, M, TH_W, N, IGAP, SGAP, OSTALL);

	int  TakeC[0:N-1];  // cycle each pair was taken
	int  NTake = 0;     // pairs taken (blocking, this block's view)
	int  NOut = 0;      // output beats taken
	int  LastX = -1;    // cycle the last output beat was taken
	int  Want;
	logic  Shown = 0;   // output beat NOut has been on ovld already
	logic  Cred;        // the credit the header documents

	always @(posedge clk) begin
		if (!rst) begin
			// pairs: both beats at the same edge; ready = other valid && credit
			Cred = (SentU - Recv < OFD);
			if ((ivld && irdy) !== (svld && srdy) || irdy !== (svld && Cred)
					|| srdy !== (ivld && Cred)) begin
				Errors <= Errors + 1;
				$display("FAIL %s: cycle %0d: ivld=%b irdy=%b svld=%b srdy=%b with %0d pairs outstanding, OFD %0d",
					NAME, Cycle, ivld, irdy, svld, srdy, SentU - Recv, OFD);
			end
			// latency: beat NOut shows LAT cycles after its pair, or after beat NOut-1 left
			if (ovld === 1 && NOut < NTake) begin
				if (!Shown) begin
					Want = TakeC[NOut] + LAT;
					if (NOut > 0 && LastX + 1 > Want)  Want = LastX + 1;
					if (Cycle != Want) begin
						Errors <= Errors + 1;
						$display("FAIL %s: beat %0d on ovld in cycle %0d, expected %0d (taken in cycle %0d, beat %0d left in %0d)",
							NAME, NOut, Cycle, Want, TakeC[NOut], NOut - 1, LastX);
					end
					Shown = 1;
				end
				if (ordy) begin
					LastX = Cycle;
					NOut++;
					Shown = 0;
				end
			end
			if (ivld && irdy && NTake < N) begin
				TakeC[NTake] = Cycle;
				NTake++;
			end
		end
	end

endmodule : residual_join_tb
